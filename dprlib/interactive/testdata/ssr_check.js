// Draws charts of package interactive with the real ECharts library in
// Node.js, through ECharts' server-side SVG renderer, and reports what it
// drew and what the tooltip formatters return.
//
// Usage: node ssr_check.js ECHARTS_JS RUNTIME_JS CHARTS_JSON
//
// CHARTS_JSON contains a list of {option, context} objects. The output is a
// JSON list with one object per chart: the counts of SVG elements by tag,
// the number of series and the tooltip HTML of the first data item of each
// series and of each markLine and markArea.
"use strict";

const fs = require("fs");
const vm = require("vm");

const [echartsPath, runtimePath, chartsPath] = process.argv.slice(2);
const echarts = require(echartsPath);
const sandbox = {};
vm.runInNewContext(fs.readFileSync(runtimePath, "utf8"), sandbox);
const runtime = sandbox.dprkitCharts;
const specs = JSON.parse(fs.readFileSync(chartsPath, "utf8"));

function tagCounts(svg) {
  const counts = {};
  for (const m of svg.matchAll(/<([a-z]+)[\s>]/g)) {
    counts[m[1]] = (counts[m[1]] || 0) + 1;
  }
  return counts;
}

const results = specs.map(({ option, context }) => {
  const resolved = runtime.resolveFunctions(option, context);
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width: 900, height: 600 });
  chart.setOption(resolved);
  const svg = chart.renderToSVGString();
  const model = chart.getModel();
  const globalFormatter = resolved.tooltip && resolved.tooltip.formatter;

  const tips = [];
  model.eachSeries((series) => {
    const data = series.getData();
    if (data.count() === 0) {
      return;
    }
    const params = series.getDataParams(0);
    params.axisIndex = series.get("xAxisIndex") || 0;
    const formatter = series.get(["tooltip", "formatter"]) || globalFormatter;
    if (typeof formatter !== "function") {
      tips.push(null);
      return;
    }
    const arg = resolved.tooltip && resolved.tooltip.trigger === "axis" ? [params] : params;
    tips.push(formatter(arg));
  });

  // ECharts 5 keeps the markLine and markArea models of a series in an
  // internal property of the series model, so they are found by shape.
  const markerTips = [];
  model.eachSeries((series) => {
    for (const key of Object.getOwnPropertyNames(series)) {
      const holder = series[key];
      if (!holder || typeof holder !== "object") {
        continue;
      }
      for (const type of ["markLine", "markArea"]) {
        const marker = holder[type];
        if (!marker || typeof marker.getData !== "function" || marker.getData().count() === 0) {
          continue;
        }
        const params = marker.getDataParams(0);
        const formatter = marker.get(["tooltip", "formatter"]) || globalFormatter;
        markerTips.push({
          type,
          seriesIndex: series.seriesIndex,
          name: params.name,
          html: typeof formatter === "function" ? formatter(params) : null,
        });
      }
    }
  });

  const out = {
    svgLength: svg.length,
    tags: tagCounts(svg),
    series: model.getSeriesCount(),
    tips,
    markerTips,
  };
  chart.dispose();
  return out;
});

process.stdout.write(JSON.stringify(results));
