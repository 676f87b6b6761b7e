#!/usr/bin/env bash
# Regenerates the simulator's sample videos (needs ffmpeg; the package itself never does).
# Each is a real, small, playable H.264 MP4 in one of the three aspect ratios; the preview carries a visible
# "KLING PREVIEW" watermark and the clean master does not.
set -euo pipefail
cd "$(dirname "$0")"
for spec in "16x9:320x180" "9x16:180x320" "1x1:240x240"; do
  name=${spec%%:*}; size=${spec##*:}
  base="testsrc2=size=${size}:rate=8:duration=2"
  ffmpeg -loglevel error -y -f lavfi -i "$base" -c:v libx264 -preset veryslow -crf 36 -pix_fmt yuv420p \
    -movflags +faststart -metadata title="kling-mcp simulator clean master" "clean_${name}.mp4"
  ffmpeg -loglevel error -y -f lavfi -i "$base" \
    -vf "drawbox=x=0:y=ih*0.4:w=iw:h=ih*0.2:color=black@0.6:t=fill,drawtext=text='KLING PREVIEW':fontcolor=white:fontsize=h/12:x=(w-text_w)/2:y=(h-text_h)/2" \
    -c:v libx264 -preset veryslow -crf 36 -pix_fmt yuv420p -movflags +faststart \
    -metadata title="kling-mcp simulator watermarked preview" "preview_${name}.mp4"
done
