// A minimal MCP Apps host around kling-mcp's player, driven by tests/clients/test_player_chromium.py (pytest).
//
// Usage: node player_host.mjs PLAN_JSON
//   PLAN = {server: {command, args, env}, chromium, userDataDir, screenshots: {preview, clean}, timeoutMs}
//
// What a host that negotiated MCP Apps does (ext-apps specification 2026-01-26), with real parts:
// - an MCP client (the official TypeScript SDK) declaring io.modelcontextprotocol/ui, connected to `kling-mcp
//   --simulate` over stdio: it lists the tools, reads the ui:// resource the result tools name in _meta.ui, and
//   makes a real video (generate_video, then get_task until it is done);
// - a web page in Debian's Chromium (playwright-core) with the ext-apps host bridge (AppBridge and
//   PostMessageTransport from @modelcontextprotocol/ext-apps, loaded as ES modules through an import map), which
//   renders the player in an iframe on another origin, under the Content-Security-Policy the spec builds from the
//   resource's _meta.ui.csp, sends it the tool input and the get_task result, and proxies the player's tools/call
//   and resources/read to the MCP server.
// Then, as a person would: play the video, take a screenshot, press the download button, and see the clean master.
//
// Prints one JSON document on stdout with what was seen; the Python test asserts on it.

import { readFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { chromium } from "playwright-core";

const plan = JSON.parse(process.argv[2]);
const TIMEOUT = plan.timeoutMs ?? 60000;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const MODULES = path.join(HERE, "node_modules");
const APPS = { "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] } };
const PROMPT = "a paper boat drifting down a rainy street, cinematic";

const step = (what) => process.stderr.write(`player_host: ${what}\n`);
const out = { tool: null, resource: null, result: null, preview: null, download: null, calls: [], reads: [],
              viewCsp: null, console: [] };

// --- the MCP side ---------------------------------------------------------------------------------------------------
const client = new Client({ name: "kling-mcp-player-host", version: "1.0.0" }, { capabilities: { extensions: APPS } });
await client.connect(new StdioClientTransport({ ...plan.server, stderr: "inherit" }), { timeout: TIMEOUT });

async function callTool(params) {
  return await client.callTool(params, undefined, { timeout: TIMEOUT });
}

step("connected");
const tools = (await client.listTools()).tools;
const getTask = tools.find((tool) => tool.name === "get_task");
out.tool = { name: getTask.name, meta: getTask._meta ?? null };
const uri = getTask._meta?.ui?.resourceUri;
const resource = (await client.readResource({ uri })).contents[0];
out.resource = { uri: resource.uri, mimeType: resource.mimeType, meta: resource._meta ?? null };

step("read the player");
const made = await callTool({ name: "generate_video", arguments: { prompt: PROMPT, duration: 5 } });
const taskId = made.structuredContent.task_id;
let result;
for (let i = 0; i < 20; i++) {
  result = await callTool({ name: "get_task", arguments: { task_id: taskId, wait_seconds: 10 } });
  if (result.structuredContent?.final) break;
}
step("the task is done");
out.result = { structuredContent: result.structuredContent, meta: result._meta ?? null };

// --- the web side: the host page (origin A) and the player (origin B, with the spec's CSP) --------------------------
function cspOf(csp) {
  // ext-apps specification, "CSP Construction from Metadata"
  const resources = (csp?.resourceDomains ?? []).join(" ");
  const connect = (csp?.connectDomains ?? []).join(" ");
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-inline' ${resources}`,
    `style-src 'self' 'unsafe-inline' ${resources}`,
    `connect-src 'self' ${connect}`,
    `img-src 'self' data: ${resources}`,
    `font-src 'self' ${resources}`,
    `media-src 'self' data: ${resources}`,
    `frame-src ${(csp?.frameDomains ?? []).join(" ") || "'none'"}`,
    "object-src 'none'",
    `base-uri ${(csp?.baseUriDomains ?? []).join(" ") || "'self'"}`,
  ].join("; ");
}

// The host bridge's modules and what they import, served from node_modules (no bundler).
const IMPORTS = {
  "@modelcontextprotocol/ext-apps/app-bridge": "/modules/@modelcontextprotocol/ext-apps/dist/src/app-bridge.js",
  "@modelcontextprotocol/sdk/": "/modules/@modelcontextprotocol/sdk/dist/esm/",
  "zod": "/modules/zod/index.js",
  "zod/v3": "/modules/zod/v3/index.js",
  "zod/v4": "/modules/zod/v4/index.js",
  "zod/v4-mini": "/modules/zod/v4-mini/index.js",
  "zod/v4/core": "/modules/zod/v4/core/index.js",
  "zod-to-json-schema": "/modules/zod-to-json-schema/dist/esm/index.js",
};
const SERVED = ["@modelcontextprotocol/ext-apps/dist/", "@modelcontextprotocol/sdk/dist/esm/", "zod/",
                "zod-to-json-schema/dist/esm/"];

const HOST_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>MCP Apps test host</title>
<style>body{margin:0;padding:16px;background:#eceff3;font:14px system-ui}
iframe{border:1px solid #c9ced6;border-radius:10px;width:640px;height:200px;background:#fff;display:block}</style>
<script type="importmap">${JSON.stringify({ imports: IMPORTS })}</script>
</head><body>
<script type="module">
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";
window.startHost = async ({ viewUrl, toolInput, toolResult }) => {
  const iframe = document.createElement("iframe");
  iframe.setAttribute("sandbox", "allow-scripts allow-same-origin");
  iframe.title = "kling-mcp player";
  document.body.append(iframe);
  const bridge = new AppBridge(null, { name: "kling-mcp test host", version: "1.0.0" },
    { serverTools: {}, serverResources: {}, logging: {} },
    { hostContext: { theme: "light", displayMode: "inline", platform: "web",
                     containerDimensions: { width: 640, maxHeight: 1200 } } });
  bridge.oncalltool = (params) => window.hostCallTool(params);
  bridge.onreadresource = (params) => window.hostReadResource(params);
  bridge.onsizechange = ({ height }) => { if (height) iframe.style.height = height + "px"; };
  const initialized = new Promise((resolve) => { bridge.oninitialized = resolve; });
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  iframe.src = viewUrl;
  await initialized;
  await bridge.sendToolInput({ arguments: toolInput });
  await bridge.sendToolResult(toolResult);
  return true;
};
window.hostReady = true;
</script></body></html>`;

const web = http.createServer(async (req, res) => {
  const url = new URL(req.url, "http://localhost");
  try {
    if (url.pathname === "/favicon.ico") {
      res.writeHead(204).end();
    } else if (url.pathname === "/host.html") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(HOST_PAGE);
    } else if (url.pathname === "/view.html") {
      out.viewCsp = cspOf(resource._meta?.ui?.csp);
      res.writeHead(200, { "content-type": "text/html; charset=utf-8", "content-security-policy": out.viewCsp })
        .end(resource.text);
    } else if (url.pathname.startsWith("/modules/")) {
      const relative = decodeURIComponent(url.pathname.slice("/modules/".length));
      const file = path.resolve(MODULES, relative);
      if (!SERVED.some((prefix) => relative.startsWith(prefix)) || !file.startsWith(MODULES + path.sep)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(await readFile(file));
    } else {
      res.writeHead(404).end();
    }
  } catch (error) {
    res.writeHead(404).end(String(error));
  }
});
await new Promise((resolve) => web.listen(0, "127.0.0.1", resolve));
const port = web.address().port;

step("web server up");
const context = await chromium.launchPersistentContext(plan.userDataDir, {
  executablePath: plan.chromium,
  headless: true,
  // the flags Chromium needs on this kind of machine (no sandbox as root, no background network, no GPU)
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
  viewport: { width: 700, height: 900 },
});
try {
  step("chromium started");
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  page.on("console", (message) => out.console.push(`${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => out.console.push(`pageerror: ${error.message}`));
  await page.exposeFunction("hostCallTool", async (params) => {
    out.calls.push(params);
    return await callTool(params);
  });
  await page.exposeFunction("hostReadResource", async (params) => {
    out.reads.push(params.uri);
    return await client.readResource(params, { timeout: TIMEOUT });
  });

  await page.goto(`http://127.0.0.1:${port}/host.html`);
  await page.waitForFunction(() => window.hostReady === true);
  await page.evaluate((args) => window.startHost(args), {
    viewUrl: `http://localhost:${port}/view.html`, // another origin than the host page
    toolInput: { task_id: taskId, wait_seconds: 10 },
    toolResult: result,
  });

  step("host started");
  const frame = page.frameLocator("iframe");
  const view = page.frame({ url: /\/view\.html$/ });
  const video = frame.locator("#stage video");
  const state = () => video.evaluate((v) => ({ src: v.currentSrc.slice(0, 64), readyState: v.readyState,
                                               currentTime: v.currentTime, paused: v.paused, error: v.error?.code ?? null }));
  const until = (test, arg) => view.waitForFunction(test, arg, { timeout: TIMEOUT });
  const read = async () => ({
    badge: await frame.locator("#badge").textContent(),
    prompt: await frame.locator("#prompt").textContent(),
    facts: await frame.locator("#facts").innerText(),
    message: await frame.locator("#message").textContent(),
    downloadVisible: await frame.locator("#download").isVisible(),
  });

  // The preview loads, and plays when a person starts it (the space key on the focused video: Chromium's media
  // controls); its readyState and currentTime advance.
  await until(() => document.querySelector("#stage video")?.readyState >= 1 || document.querySelector("#stage video")?.error);
  const loaded = await state();
  if (loaded.error !== null) throw new Error(`the preview did not load: MediaError ${loaded.error} (${out.viewCsp})`);
  step(`preview loaded: ${JSON.stringify(loaded)}`);
  await video.focus();
  await page.keyboard.press("Space");
  await until(() => document.querySelector("#stage video").currentTime > 0.2);
  const first = await state();
  await until((t) => document.querySelector("#stage video").currentTime > t, first.currentTime);
  const later = await state();
  step(`playing: ${JSON.stringify(later)}`);
  out.preview = { ...(await read()), loaded, first, later };
  await page.locator("iframe").screenshot({ path: plan.screenshots.preview });

  // The download button: a tools/call of download_clean through the host, then the clean master on the stage.
  await frame.getByRole("button", { name: "Save the watermark-free master" }).click();
  await frame.locator("#badge", { hasText: "Clean master" }).waitFor();
  await until(() => document.querySelector("#stage video")?.readyState >= 1);
  out.download = { ...(await read()), video: await state(), duration: await video.evaluate((v) => v.duration) };
  step("clean master loaded");
  await page.locator("iframe").screenshot({ path: plan.screenshots.clean });
} finally {
  await context.close();
  web.close();
  await client.close();
}
process.stdout.write(JSON.stringify(out));
