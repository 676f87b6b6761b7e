"""What a simulated account knows when the rules ask (``video_rules.Account``): the files at URLs the simulator
served or received, the account's tasks and its elements.

URLs are matched by path only, so that a file uploaded before a restart on another port still counts: uploads
(``/cdn/uploads/<name>``), their covers (``/cdn/covers/<name>.png``), the works of tasks
(``/cdn/works/<id>/<kind>.mp4``) and the presets (``/cdn/presets/<name>.mp4|.png``). Any other URL is unknown
(None), and the rules say what they assume of it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from kling_mcp.simulator import media, mp4, presets
from kling_mcp.simulator.state import SimulatorState
from kling_mcp.simulator.video_rules import ElementInfo, MediaInfo, SourceTask

_UPLOAD = re.compile(r"/cdn/uploads/([^/]+)$")
_COVER = re.compile(r"/cdn/covers/([^/]+)\.png$")
_WORK = re.compile(r"/cdn/works/(\d+)/(preview|clean)\.mp4$")
_PRESET = re.compile(r"/cdn/presets/([^/]+)\.(mp4|png)$")


def upload_info(content_type: str, data: bytes) -> MediaInfo:
    """What an uploaded file is. A video whose headers cannot be read has no known length (upload refuses those)."""
    if content_type.startswith("image/"):
        return MediaInfo("image", aspect_ratio=media.aspect_of_image(data))
    if content_type.startswith("video/"):
        try:
            probe = mp4.probe(data)
        except mp4.Mp4Error:
            return MediaInfo("video")
        return MediaInfo("video", probe.seconds, media.aspect_of_size(probe.width, probe.height), probe.audio)
    return MediaInfo("video") if content_type.startswith("audio/") else MediaInfo("image")


def preset(name: str, extension: str) -> MediaInfo | None:
    """An effect's or official motion's preview (``effect_<name>`` / ``<assetId>``) or its cover."""
    if name.startswith("effect_") and name.removeprefix("effect_") in presets.EFFECTS:
        seconds, aspect, audio = float(presets.EFFECT_SECONDS), "9:16", False
    elif (motion := presets.OFFICIAL_MOTIONS.get(name)) is not None:
        seconds, aspect, audio = motion.seconds, motion.aspect_ratio, motion.audio
    else:
        return None
    if extension == "png":
        return MediaInfo("image", aspect_ratio=aspect)
    return MediaInfo("video", seconds, aspect, audio)


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
            return MediaInfo("image", aspect_ratio=upload_info(*item).aspect_ratio)
        if match := _WORK.search(path):
            task = self.state.work(int(match.group(1)))
            if task is None or self.state.status(task) != (99, "succeed", True):
                return None  # nothing is served there
            return MediaInfo("video", media.served_seconds(task.duration), task.aspect_ratio, task.audio)
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
