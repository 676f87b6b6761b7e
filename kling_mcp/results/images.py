"""What the image tools say beyond a task: the faces recognize_faces found. (generate_image, upscale_image and
virtual_try_on answer with a task, as every generation does: ``results.tasks.TaskResult``.)"""

from __future__ import annotations

from pydantic import BaseModel, Field

from kling_mcp.api.images import FaceRecognition


class FaceInfo(BaseModel):
    face_no: int = Field(description="Pass as face_no to generate_image(engine='kolors', reference='face').")
    url: str | None = Field(default=None, description="A picture of this face, cut from the image.")
    x: float | None = Field(default=None, description="Where the face is in the image, in pixels.")
    y: float | None = None
    width: float | None = None
    height: float | None = None


class FaceList(BaseModel):
    faces: list[FaceInfo] = Field(description="The faces found, numbered as face_no counts them (from 1).")
    image_width: int | None = None
    image_height: int | None = None
    next_step: str

    def summary(self) -> str:
        if not self.faces:
            return f"No face found in the image.\n{self.next_step}"
        lines = [f"{len(self.faces)} face(s) found:"]
        for face in self.faces:
            box = (
                f" at x={face.x:g}, y={face.y:g}, {face.width:g}×{face.height:g} px"
                if None not in (face.x, face.y, face.width, face.height)
                else ""
            )
            lines.append(f"face_no {face.face_no}{box}" + (f": {face.url}" if face.url else ""))
        lines.append(self.next_step)
        return "\n".join(lines)


def face_list(answer: FaceRecognition) -> FaceList:
    """The faces in useapi's order: Kling's faceNo 1 is the first of ``faceItems`` (POST /images/kolors: "the index
    of the face to use in multi-face images … Default: 1")."""
    faces = []
    for number, item in enumerate(answer.faceItems, start=1):
        box = item.bound or {}
        faces.append(
            FaceInfo(
                face_no=number,
                url=item.face_url,
                x=box.get("x"),
                y=box.get("y"),
                width=box.get("width"),
                height=box.get("height"),
            )
        )
    media = answer.mediaInfo
    if faces:
        next_step = (
            "To draw one of these people: generate_image(engine='kolors', reference='face', images=[<this image>], "
            "face_no=<its face_no>)."
        )
    else:
        next_step = "A face reference needs a clear face: try another image."
    return FaceList(
        faces=faces,
        image_width=media.width if media else None,
        image_height=media.height if media else None,
        next_step=next_step,
    )


__all__ = ["FaceInfo", "FaceList", "face_list"]
