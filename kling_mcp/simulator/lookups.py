"""What a simulated account knows when the rules ask (``video_rules.Account``, ``sound_rules.Account``): the files at
URLs the simulator served or received, the account's tasks and their works, its elements and its avatars.

URLs are matched by path only, so that a file uploaded before a restart on another port still counts: uploads
(``/cdn/uploads/<name>``), their covers (``/cdn/covers/<name>.png``), the works of tasks
(``/cdn/works/<id>/<kind>.mp4|.png|.mp3|.wav``) and the presets (``/cdn/presets/<name>.mp4|.png|.mp3``). Any other
URL is unknown (None), and the rules say what they assume of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from kling_mcp.simulator import audio, media, mp4, presets
from kling_mcp.simulator.state import SimTask, SimulatorState
from kling_mcp.simulator.video_rules import ElementInfo, MediaInfo, SourceTask

_UPLOAD = re.compile(r"/cdn/uploads/([^/]+)$")
_COVER = re.compile(r"/cdn/covers/([^/]+)\.png$")
_WORK = re.compile(r"/cdn/works/(\d+)/(preview|clean)\.(mp4|png|mp3|wav)$")
_PRESET = re.compile(r"/cdn/presets/([^/]+)\.(mp4|png|mp3)$")


def image_info(width: int, height: int) -> MediaInfo:
    return MediaInfo("image", aspect_ratio=media.aspect_of_size(width, height), width=width, height=height)


def upload_info(content_type: str, data: bytes) -> MediaInfo:
    """What an uploaded file is. A video or audio file whose headers cannot be read has no known length (upload
    refuses those)."""
    if content_type.startswith("image/"):
        size = media.image_size(data)
        return image_info(*size) if size else MediaInfo("image")
    if content_type.startswith("video/"):
        try:
            probe = mp4.probe(data)
        except mp4.Mp4Error:
            return MediaInfo("video")
        return MediaInfo(
            "video",
            probe.seconds,
            media.aspect_of_size(probe.width, probe.height),
            probe.audio,
            probe.width,
            probe.height,
        )
    if content_type.startswith("audio/"):
        found = audio.probe(data)
        return MediaInfo("audio", found.seconds if found else None, audio=True)
    return MediaInfo("image")


def work_info(task: SimTask, extension: str) -> MediaInfo | None:
    """A file a succeeded task's work serves at ``<kind>.<extension>``: its video, its picture, or its sound (an
    audio work's, or a video work's own soundtrack); None when the work serves no such file."""
    if extension in ("mp3", "wav"):
        if task.content == "audio":
            return MediaInfo("audio", audio.served_seconds(task.duration), audio=True)
        if task.content == "video" and task.audio:
            return MediaInfo("audio", audio.served_seconds(media.served_seconds(task.duration)), audio=True)
        return None
    if extension == "png":
        return image_info(task.width, task.height) if task.content == "image" else None
    if task.content != "video":
        return None
    width, height = media.dimensions(task.aspect_ratio)
    seconds = media.served_seconds(task.duration)
    return MediaInfo("video", seconds, task.aspect_ratio, task.audio, width, height)


def preset(name: str, extension: str) -> MediaInfo | None:
    """An effect's or official motion's preview (``effect_<name>`` / ``<assetId>``) or its cover, an avatar
    template's picture (``avatar_<id>.png``) or a voice's example (``voice_<speakerId>.mp3``)."""
    if extension == "mp3":
        voice = presets.tts_voice(name.removeprefix("voice_")) if name.startswith("voice_") else None
        return MediaInfo("audio", audio.served_seconds(presets.VOICE_SAMPLE_SECONDS), audio=True) if voice else None
    if name.startswith("avatar_"):
        template = presets.AVATAR_TEMPLATES.get(name.removeprefix("avatar_"))
        if template is None or extension != "png":
            return None
        return image_info(*media.image_dimensions(template.aspect_ratio, 1024))
    if name.startswith("effect_") and name.removeprefix("effect_") in presets.EFFECTS:
        seconds, aspect, sound = float(presets.EFFECT_SECONDS), "9:16", False
    elif (motion := presets.OFFICIAL_MOTIONS.get(name)) is not None:
        seconds, aspect, sound = motion.seconds, motion.aspect_ratio, motion.audio
    else:
        return None
    if extension == "png":
        return image_info(*media.dimensions(aspect))
    return MediaInfo("video", seconds, aspect, sound, *media.dimensions(aspect))


@dataclass(frozen=True)
class WorkInfo:
    """A work of a task of the account, as upscale sees it."""

    task_id: int
    work_id: int
    status: str  # succeed, or what the task is instead (submitted, processing, failed, deleted)
    content: str  # video | image | audio
    width: int
    height: int


class AccountView:
    """One account of a simulator state, as the rules see it."""

    def __init__(self, state: SimulatorState, email: str) -> None:
        self.state, self.email = state, email

    def media(self, url: str) -> MediaInfo | None:
        path = urlsplit(url).path
        if match := _UPLOAD.search(path):
            item = self.state.upload(match.group(1))
            return upload_info(*item) if item is not None else None
        if match := _COVER.search(path):
            item = self.state.upload(match.group(1))
            if item is None:
                return None
            info = upload_info(*item)
            if info.kind != "video":
                return None
            return image_info(*media.dimensions(info.aspect_ratio or "16:9"))
        if match := _WORK.search(path):
            task = self.state.work(int(match.group(1)))
            if task is None or self.state.status(task) != (99, "succeed", True):
                return None  # nothing is served there
            return work_info(task, match.group(3))
        if match := _PRESET.search(path):
            return preset(match.group(1), match.group(2))
        return None

    def task(self, task_id: int) -> SourceTask | None:
        task = self.state.task(task_id)
        if task is None or task.email != self.email:
            return None
        status = self.state.status(task)
        if status is None:
            name = "deleted"  # the poll answers 404 (moderation, vanished, out of credits)
        elif status[0] == 99:
            name = "succeed"
        else:
            name = "failed" if status[2] else status[1]
        seconds = media.served_seconds(task.duration)
        per_second = task.credits / (task.duration * task.works) if task.duration and task.works else 0.0
        return SourceTask(
            id=task.id,
            status=name,
            seconds=seconds,
            credits_per_second=per_second,
            aspect_ratio=task.aspect_ratio,
            audio=task.audio,
            model_name=task.model_name or str(task.body.get("model_name") or ""),
            mode=task.mode,
        )

    def element(self, element_id: str) -> ElementInfo | None:
        element = self.state.element(self.email, element_id)
        return ElementInfo(element_id, str(element.get("type") or "IMAGE")) if element is not None else None

    def work(self, task_id: int, work_id: int) -> WorkInfo | None:
        """A work of one of the account's tasks, with its task's status; None when the account has no such task
        or the task no such work."""
        task = self.state.task(task_id)
        if task is None or task.email != self.email or work_id not in task.work_ids:
            return None
        source = self.task(task_id)
        status = source.status if source else "deleted"
        return WorkInfo(task_id, work_id, status, task.content, task.width, task.height)

    def avatar(self, avatar_id: str) -> dict[str, object] | None:
        """One of the account's own avatars, or a template (useapi's avatar pages: templates are Kling's own)."""
        template = presets.AVATAR_TEMPLATES.get(avatar_id)
        if template is not None:
            return template.listing("")
        return self.state.avatar(self.email, avatar_id)
