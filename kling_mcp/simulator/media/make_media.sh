#!/usr/bin/env bash
# Regenerates the simulator's media segments (needs ffmpeg; the package itself never does).
#
# The simulator does not serve these files as they are: kling_mcp/simulator/mp4.py reads their samples and, at
# request time and in pure Python, writes a new MP4 of the task's exact duration (3-15 s) by repeating the
# one-second video segment, plus an AAC track when the task has audio. For that to be valid:
# - each video segment is exactly one second at 8 fps whose first frame is an IDR frame and that has no B-frames
#   (keyint 8, scenecut off, bframes 0), so that the segment can follow itself;
# - tone.m4a is a steady 500 Hz tone at 16 kHz: its period (32 samples) divides an AAC frame (1024 samples), so one
#   frame from its middle, repeated, decodes to the same tone.
# - tone.mp3 is the same tone as MPEG-2 Layer III at 16 kHz, 32 kbit/s CBR: every frame is 144 bytes and 576 samples
#   (18 periods), without padding, and the bit reservoir is off, so each frame decodes on its own and one frame from
#   the middle, repeated, is an MP3 of any length (media.py's audio files).
# The preview segments carry a visible "KLING PREVIEW" watermark; the clean masters do not.
# Sizes: 320x180 (16:9), 180x320 (9:16), 240x240 (1:1); the simulator reports exactly these.
set -euo pipefail
cd "$(dirname "$0")"
x264="keyint=8:min-keyint=8:scenecut=0:bframes=0:open-gop=0"
for spec in "16x9:320x180" "9x16:180x320" "1x1:240x240"; do
  name=${spec%%:*}; size=${spec##*:}
  base="testsrc2=size=${size}:rate=8:duration=1"
  ffmpeg -loglevel error -y -f lavfi -i "$base" -c:v libx264 -preset veryslow -crf 36 -pix_fmt yuv420p \
    -x264-params "$x264" -movflags +faststart -map_metadata -1 "clean_${name}.mp4"
  ffmpeg -loglevel error -y -f lavfi -i "$base" \
    -vf "drawbox=x=0:y=ih*0.4:w=iw:h=ih*0.2:color=black@0.6:t=fill,drawtext=text='KLING PREVIEW':fontcolor=white:fontsize=h/12:x=(w-text_w)/2:y=(h-text_h)/2" \
    -c:v libx264 -preset veryslow -crf 36 -pix_fmt yuv420p -x264-params "$x264" -movflags +faststart \
    -map_metadata -1 "preview_${name}.mp4"
done
ffmpeg -loglevel error -y -f lavfi -i "sine=frequency=500:sample_rate=16000:duration=1" -af "volume=0.3" \
  -c:a aac -b:a 24k -ac 1 -movflags +faststart -map_metadata -1 tone.m4a
ffmpeg -loglevel error -y -f lavfi -i "sine=frequency=500:sample_rate=16000:duration=1" -af "volume=2" \
  -c:a libmp3lame -b:a 32k -ac 1 -reservoir 0 -write_xing 0 -id3v2_version 0 -write_id3v1 0 -map_metadata -1 tone.mp3
