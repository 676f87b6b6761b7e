"""The per-call floor for a result of get_task's shape: a minimal MCPServer whose one tool returns a constant
TaskResult (same output schema, same size, no upstream call, no ledger). Comparing get_task against it separates
kling-mcp's own work from what the SDK (and the client's output-schema check) costs for a result of that size."""

from mcp.server.mcpserver import MCPServer

from kling_mcp.api.models import TaskResponse
from kling_mcp.jobs.tasks import Facts, report_of
from kling_mcp.results import TaskResult, task_result

server = MCPServer("shaped-floor")
ANSWER = task_result(
    report_of(
        TaskResponse.model_validate(
            {
                "status": 10,
                "status_name": "processing",
                "status_final": False,
                "message": "",
                "task": {"id": 123456789, "status": 10, "status_name": "processing", "status_final": False},
                "works": [],
            }
        ),
        facts=Facts(model_name="kling-v1-6", email="demo@example.com", estimated_credits=20),
    )
)


@server.tool()
async def get_task(task_id: int) -> TaskResult:
    """Answer with a constant task."""
    del task_id  # the argument is there for the input schema only
    return ANSWER


if __name__ == "__main__":
    server.run()
