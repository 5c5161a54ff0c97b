// Runs the library <script> of a fragment twice in a fresh context that
// defines require.js's define, as Jupyter's classic notebook and nbconvert's
// HTML export do, and reports whether the script defined window.echarts,
// whether it called define, and whether the second run left the first
// window.echarts in place.
//
// Usage: node guard_check.js FRAGMENT_HTML
"use strict";

const fs = require("fs");
const vm = require("vm");

const fragment = fs.readFileSync(process.argv[2], "utf8");
const match = fragment.match(/<script>([\s\S]*?)<\/script>/);
if (!match) {
  throw new Error("the fragment has no <script> element");
}

const context = vm.createContext({});
context.window = context;
let defineCalls = 0;
context.define = function () {
  defineCalls++;
};
context.define.amd = {};

vm.runInContext(match[1], context);
const first = context.echarts;
vm.runInContext(match[1], context);

process.stdout.write(JSON.stringify({
  defined: typeof first === "object" && typeof first.init === "function",
  version: first && first.version,
  defineCalls,
  evaluatedOnce: context.echarts === first,
}));
