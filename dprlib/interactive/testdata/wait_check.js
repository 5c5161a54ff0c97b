// Runs the chart scripts of a fragment rendered without the library in a
// context with a fake DOM and virtual timers, and reports which charts were
// drawn and at what virtual time. window.echarts appears at the virtual
// time LIBRARY_AT_MS, or never when it is negative.
//
// Usage: node wait_check.js FRAGMENT_HTML LIBRARY_AT_MS
"use strict";

const fs = require("fs");
const vm = require("vm");

const fragment = fs.readFileSync(process.argv[2], "utf8");
const libraryAt = Number(process.argv[3]);
const scripts = [...fragment.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
const ids = [...fragment.matchAll(/<div id="([^"]+)" class="dprkit-chart"/g)].map((m) => m[1]);

let now = 0;
const timers = [];
const elements = {};
for (const id of ids) {
  elements[id] = { id, clientWidth: 600, isConnected: true, textContent: "placeholder" };
}

const draws = [];
function fakeECharts() {
  return {
    init(el) {
      return {
        setOption() {
          draws.push({ id: el.id, at: now });
        },
      };
    },
  };
}

const context = vm.createContext({});
context.window = context;
context.setTimeout = (fn, ms) => timers.push({ at: now + (ms || 0), fn });
context.document = { getElementById: (id) => elements[id] || null, currentScript: null };
if (libraryAt === 0) {
  context.echarts = fakeECharts();
}
for (const script of scripts) {
  vm.runInContext(script, context);
}

// Run the timers in order of their virtual time, and add the library when
// its time comes.
for (;;) {
  timers.sort((a, b) => a.at - b.at);
  const next = timers.length > 0 ? timers[0].at : Infinity;
  if (libraryAt >= 0 && !context.echarts && libraryAt <= next) {
    now = libraryAt;
    context.echarts = fakeECharts();
    continue;
  }
  if (timers.length === 0) {
    break;
  }
  const timer = timers.shift();
  now = timer.at;
  timer.fn();
}

process.stdout.write(JSON.stringify({
  charts: ids.length,
  draws,
  texts: ids.map((id) => elements[id].textContent),
  end: now,
}));
