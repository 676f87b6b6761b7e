"""The "audio" toolset: voices and faces — lip_sync, add_sound and avatar_video (each spends credits and returns a
task like generate_video), text_to_speech (free, answered at once), list_voices, list_avatars, create_avatar and
delete_avatar (destructive: asks first per KLING_MCP_CONFIRM). Descriptions are short: the family shares a 5 KB
budget of description and input schema."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve
from mcp.types import ListRootsResult, ToolAnnotations

from kling_mcp.arguments.sound import (
    AddSound,
    AvatarVideo,
    CreateAvatar,
    DeleteAvatar,
    LipSync,
    ListAvatars,
    ListVoices,
    TextToSpeech,
)
from kling_mcp.results import TaskResult, task_result
from kling_mcp.results.audio import (
    AvatarList,
    DeletedAvatar,
    NewAvatar,
    SpeechResult,
    VoiceList,
    avatar_list,
    new_avatar,
    speech_result,
    voice_list,
)
from kling_mcp.tools.confirm import (
    DeleteConfirmation,
    SpendConfirmation,
    _can_ask,
    _CannotAskDelete,
    check_confirmation,
    check_deletion,
    client_roots,
    root_paths,
    spend_confirmation,
)
from kling_mcp.tools.context import AppState, progress_of, service_of
from kling_mcp.tools.registry import READS, SPENDS, Toolset, resolver_for

toolset = Toolset(
    "audio",
    instructions="lip_sync (a video's face speaks audio or text), avatar_video (a face speaks) and add_sound return "
    "tasks like generate_video; text_to_speech makes an MP3 at once, free.",
)

# Speech is made anew at each call (free); an avatar is saved upstream (no credits), a second call saves another.
MAKES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)
# Gone for good; deleting it again changes nothing more.
DELETES = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True)

SPEND = "Costs Kling credits; returns the task_id at once."

LIP_SYNC_DESCRIPTION = f"""Make the face in a video (≤60 s, one clear frontal face) speak audio, or text + voice_id
(spoken first, free). {SPEND} A still face: avatar_video."""

ADD_SOUND_DESCRIPTION = f"Generate sound effects and music for a 3–20 s video. {SPEND}"

AVATAR_VIDEO_DESCRIPTION = f"""A talking head: a saved avatar (avatar_id) or a face image speaks audio or text.
{SPEND} A face in a video: lip_sync."""

SPEECH_DESCRIPTION = "Speak up to 150 characters in a Kling voice; returns an MP3 URL at once. Free."

VOICES_DESCRIPTION = "List the voice_ids (and their emotions) for the audio tools. Free."

AVATARS_DESCRIPTION = "List the saved avatars, or Kling's templates, for avatar_video. Free."

CREATE_AVATAR_DESCRIPTION = (
    "Save a face image as an avatar for avatar_video; Kling fills in its prompt and voice. Free."
)

DELETE_AVATAR_DESCRIPTION = """Delete a saved avatar for good, only when the user asked; the user confirms first unless
KLING_MCP_CONFIRM is never."""


@toolset.tool(LipSync, title="Lip-sync a video", description=LIP_SYNC_DESCRIPTION, annotations=SPENDS)
async def lip_sync(
    args: LipSync,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(LipSync))],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(LipSync))],
) -> TaskResult:
    check_confirmation(confirmation)
    report = await service_of(ctx).create(args, progress=progress_of(ctx), roots=root_paths(roots))
    return task_result(report)


@toolset.tool(AddSound, title="Add sound to a video", description=ADD_SOUND_DESCRIPTION, annotations=SPENDS)
async def add_sound(
    args: AddSound,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(AddSound))],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(AddSound))],
) -> TaskResult:
    check_confirmation(confirmation)
    report = await service_of(ctx).create(args, progress=progress_of(ctx), roots=root_paths(roots))
    return task_result(report)


@toolset.tool(AvatarVideo, title="Talking avatar video", description=AVATAR_VIDEO_DESCRIPTION, annotations=SPENDS)
async def avatar_video(
    args: AvatarVideo,
    ctx: Context[AppState],
    confirmation: Annotated[ElicitationResult[SpendConfirmation], Resolve(spend_confirmation(AvatarVideo))],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(AvatarVideo))],
) -> TaskResult:
    check_confirmation(confirmation)
    report = await service_of(ctx).create(args, progress=progress_of(ctx), roots=root_paths(roots))
    return task_result(report)


@toolset.tool(TextToSpeech, title="Text to speech", description=SPEECH_DESCRIPTION, annotations=MAKES)
async def text_to_speech(args: TextToSpeech, ctx: Context[AppState]) -> SpeechResult:
    return speech_result(await service_of(ctx).text_to_speech(args))


@toolset.tool(ListVoices, title="List voices", description=VOICES_DESCRIPTION, annotations=READS)
async def list_voices(args: ListVoices, ctx: Context[AppState]) -> VoiceList:
    return voice_list(await service_of(ctx).list_voices(args))


@toolset.tool(ListAvatars, title="List avatars", description=AVATARS_DESCRIPTION, annotations=READS)
async def list_avatars(args: ListAvatars, ctx: Context[AppState]) -> AvatarList:
    return avatar_list(await service_of(ctx).list_avatars(args), templates=args.templates)


@toolset.tool(CreateAvatar, title="Create an avatar", description=CREATE_AVATAR_DESCRIPTION, annotations=MAKES)
async def create_avatar(
    args: CreateAvatar,
    ctx: Context[AppState],
    roots: Annotated[ListRootsResult | None, Resolve(client_roots(CreateAvatar))],
) -> NewAvatar:
    return new_avatar(await service_of(ctx).create_avatar(args, roots=root_paths(roots)))


async def ask_before_deleting_avatar(args: DeleteAvatar, ctx: Context[AppState]) -> Any:
    """As delete_element: under any KLING_MCP_CONFIRM policy but ``never``, ask the user first."""
    if service_of(ctx).settings.confirm == "never":
        return DeleteConfirmation(confirm=True)
    if not _can_ask(ctx):
        return _CannotAskDelete(confirm=False)
    return Elicit(f"Delete the Kling avatar {args.avatar_id}? This cannot be undone.", DeleteConfirmation)


@toolset.tool(DeleteAvatar, title="Delete an avatar", description=DELETE_AVATAR_DESCRIPTION, annotations=DELETES)
async def delete_avatar(
    args: DeleteAvatar,
    ctx: Context[AppState],
    confirmation: Annotated[
        ElicitationResult[DeleteConfirmation], Resolve(resolver_for(DeleteAvatar, ask_before_deleting_avatar))
    ],
) -> DeletedAvatar:
    check_deletion(confirmation)
    return DeletedAvatar(avatar_id=await service_of(ctx).delete_avatar(args))
