// A real MCP client built on the official TypeScript SDK, driven by tests/clients (pytest).
//
// Usage: node sdk_client.mjs PLAN_JSON
//   PLAN = {
//     sdk: "@modelcontextprotocol/sdk" | "mcp-sdk-1-24",     // which installed SDK line to use
//     server: {command, args, env} | {url},                    // stdio subprocess, or Streamable HTTP endpoint
//     steps: [{op, ...}],                                      // run in order
//     timeoutMs                                                // per request
//   }
//   ops: listTools | callTool {name, arguments, progress} | setLoggingLevel {level}
//        | complete {ref, argument, context} | readResource {uri} | listResourceTemplates
//   A string argument "$N.path.to.value" is replaced by that value from step N's result.
//
// Prints one JSON document on stdout: {protocolVersion, serverVersion, capabilities, steps: [...]}, where each step
// is {ok: true, result, progress, logs} or {ok: false, error: {code, message}}: what the SDK handed the application
// (an SDK-side validation failure, such as structuredContent that does not match the outputSchema, is an error).

const plan = JSON.parse(process.argv[2]);
const sdk = plan.sdk;
const { Client } = await import(`${sdk}/client/index.js`);
const types = await import(`${sdk}/types.js`);

const client = new Client({ name: "kling-mcp-tests", version: "1.0.0" }, { capabilities: {} });
let transport;
if (plan.server.url) {
  const { StreamableHTTPClientTransport } = await import(`${sdk}/client/streamableHttp.js`);
  transport = new StreamableHTTPClientTransport(new URL(plan.server.url));
} else {
  const { StdioClientTransport } = await import(`${sdk}/client/stdio.js`);
  transport = new StdioClientTransport({ ...plan.server, stderr: "inherit" });
}

let protocolVersion = null;
const setVersion = transport.setProtocolVersion?.bind(transport);
transport.setProtocolVersion = (version) => {
  protocolVersion = version;
  setVersion?.(version);
};

let logs = [];
client.setNotificationHandler(types.LoggingMessageNotificationSchema, (notification) => {
  logs.push(notification.params);
});

function resolve(value, results) {
  if (typeof value === "string" && /^\$\d+\./.test(value)) {
    const [index, ...path] = value.slice(1).split(".");
    return path.reduce((node, key) => node?.[key], results[Number(index)]?.result);
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, results));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, results)]));
  }
  return value;
}

const options = { timeout: plan.timeoutMs ?? 60000 };
const out = { protocolVersion: null, serverVersion: null, capabilities: null, steps: [] };
try {
  await client.connect(transport, options);
  out.protocolVersion = protocolVersion;
  out.serverVersion = client.getServerVersion();
  out.capabilities = client.getServerCapabilities();
  for (const rawStep of plan.steps) {
    const step = resolve(rawStep, out.steps);
    const progress = [];
    logs = [];
    try {
      let result;
      switch (step.op) {
        case "listTools":
          result = await client.listTools(undefined, options);
          break;
        case "callTool":
          result = await client.callTool({ name: step.name, arguments: step.arguments ?? {} }, undefined, {
            ...options,
            ...(step.progress ? { onprogress: (p) => progress.push(p), resetTimeoutOnProgress: true } : {}),
          });
          break;
        case "setLoggingLevel":
          result = await client.setLoggingLevel(step.level, options);
          break;
        case "complete":
          result = await client.complete({ ref: step.ref, argument: step.argument, context: step.context }, options);
          break;
        case "readResource":
          result = await client.readResource({ uri: step.uri }, options);
          break;
        case "listResourceTemplates":
          result = await client.listResourceTemplates(undefined, options);
          break;
        default:
          throw new Error(`unknown op ${step.op}`);
      }
      out.steps.push({ ok: true, result, progress, logs });
    } catch (error) {
      out.steps.push({ ok: false, error: { code: error.code ?? null, message: String(error.message ?? error) }, progress, logs });
    }
  }
} catch (error) {
  out.fatal = String(error?.stack ?? error);
} finally {
  await client.close().catch(() => {});
}
// Exit only once the whole document is written: stdout is a pipe, and process.exit() would cut it short.
process.stdout.write(JSON.stringify(out) + "\n", () => process.exit(0));
