// Chart runtime of the kit's interactive views. Every chart script contains
// its own copy inside a function scope, so charts share nothing but the
// ECharts library (window.echarts).
//
// The option JSON cannot contain functions. It names them instead with strings
// such as "dprkit:tip" under the keys in functionKeys, and resolveFunctions
// swaps each name for the function that factories builds from the chart's
// context object.
var dprkitCharts = (function () {
  "use strict";

  var entities = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

  function escapeHTML(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return entities[c];
    });
  }

  // tipHTML returns tooltip text as HTML: one line per "\n", the first bold.
  function tipHTML(text) {
    var lines = String(text).split("\n").map(escapeHTML);
    lines[0] = "<b>" + lines[0] + "</b>";
    return lines.join("<br>");
  }

  // formatNumber prints v with 4 significant digits, in exponent form below
  // 1e-3 and from 1e5 on, with U+2212 as the minus sign.
  function formatNumber(v) {
    if (typeof v !== "number" || !isFinite(v)) {
      return String(v);
    }
    var a = Math.abs(v);
    var s = a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : String(parseFloat(v.toPrecision(4)));
    return s.replace(/-/g, "\u2212");
  }

  var factories = {
    // Item tooltip: the text in the data item's tip field, or else its name.
    "dprkit:tip": function () {
      return function (params) {
        var item = params.data;
        var text = item && typeof item === "object" && item.tip ? item.tip : params.name;
        return tipHTML(text || params.seriesName);
      };
    },

    // Axis tooltip of curves over steps, with data items [step, value]. The
    // entries are grouped by panel, that is by x axis, under the panel names
    // in context.panels. Series named in context.baselines get their
    // baseline appended, such as the SFT exact match of a DPR seed.
    "dprkit:steps": function (context) {
      var panels = context.panels || [];
      var baselines = context.baselines || {};
      return function (params) {
        if (!Array.isArray(params)) {
          params = [params];
        }
        var groups = [];
        params.forEach(function (p) {
          var axis = p.axisIndex || 0;
          (groups[axis] = groups[axis] || []).push(p);
        });
        var lines = [];
        groups.forEach(function (group, axis) {
          if (!group) {
            return;
          }
          lines.push("<b>" + escapeHTML(panels[axis] || "") + "</b>");
          group.forEach(function (p) {
            var line = (p.marker || "") + escapeHTML(p.seriesName) + ": " + formatNumber(p.value[1]) +
              " at step " + p.value[0];
            var baseline = (baselines[axis] || {})[p.seriesName];
            if (baseline) {
              line += " (" + escapeHTML(baseline) + ")";
            }
            lines.push(line);
          });
        });
        return lines.join("<br>");
      };
    },

    // renderItem of an interval series, with data values
    // [setting index, mean, low, high, n, offset]: a marker at the mean and
    // an error bar with caps from low to high. offset moves the point
    // sideways by that fraction of the category width, so that the series
    // of a panel sit side by side.
    "dprkit:intervalBar": function () {
      return function (params, api) {
        var setting = api.value(0);
        var mean = api.coord([setting, api.value(1)]);
        var low = api.coord([setting, api.value(2)]);
        var high = api.coord([setting, api.value(3)]);
        var x = mean[0] + api.value(5) * api.size([1, 0])[0];
        var color = api.visual("color");
        var bar = { stroke: color, lineWidth: 1.6 };
        var cap = 5;
        return {
          type: "group",
          children: [
            { type: "line", shape: { x1: x, y1: low[1], x2: x, y2: high[1] }, style: bar },
            { type: "line", shape: { x1: x - cap, y1: low[1], x2: x + cap, y2: low[1] }, style: bar },
            { type: "line", shape: { x1: x - cap, y1: high[1], x2: x + cap, y2: high[1] }, style: bar },
            {
              type: "circle",
              shape: { cx: x, cy: mean[1], r: 4.5 },
              style: { fill: color, stroke: "#ffffff", lineWidth: 1 }
            }
          ]
        };
      };
    }
  };

  var functionKeys = { formatter: true, renderItem: true };

  // resolveFunctions replaces, in place, every function name under a key of
  // functionKeys and returns node.
  function resolveFunctions(node, context) {
    if (node === null || typeof node !== "object") {
      return node;
    }
    Object.keys(node).forEach(function (key) {
      var value = node[key];
      if (typeof value === "string" && functionKeys[key] &&
        Object.prototype.hasOwnProperty.call(factories, value)) {
        node[key] = factories[value](context);
      } else {
        resolveFunctions(value, context);
      }
    });
    return node;
  }

  // Polling of mount: the interval, and the most polls for the element
  // (10 s) and then for the library (5 s).
  var pollMs = 50;
  var elementPolls = 200;
  var libraryPolls = 100;

  // mount draws the chart in the element with the given id once that
  // element is in the page and has a width, and once window.echarts exists.
  // Jupyter may run an output's scripts before it attaches the output, so
  // mount looks next to its own script element too and retries. A fragment
  // rendered without the library relies on the library output of
  // interactive.ShowLibrary in an earlier cell, which a page may also run
  // later than this script.
  function mount(id, option, context, script) {
    var tries = 0;
    var libraryTries = 0;
    function find() {
      var parent = script && script.parentNode;
      return document.getElementById(id) || (parent && parent.querySelector("#" + id));
    }
    function start() {
      var el = find();
      var ready = el && el.isConnected !== false && el.clientWidth > 0;
      if (!ready && tries < elementPolls) {
        tries++;
        setTimeout(start, pollMs);
        return;
      }
      if (!el) {
        return;
      }
      if (!window.echarts && libraryTries < libraryPolls) {
        libraryTries++;
        setTimeout(start, pollMs);
        return;
      }
      if (!window.echarts) {
        el.textContent = "ECharts did not load, so this chart cannot be drawn. " +
          "Run the cell that calls interactive.ShowLibrary(), if the notebook has one, " +
          "then this cell again, and look for errors in the browser console.";
        return;
      }
      el.textContent = "";
      // A hidden element has no width: draw at 900 px rather than not at all.
      var chart = window.echarts.init(el, null, el.clientWidth > 0 ? {} : { width: 900 });
      chart.setOption(resolveFunctions(option, context));
      if (typeof ResizeObserver !== "undefined") {
        new ResizeObserver(function () {
          chart.resize();
        }).observe(el);
      }
    }
    start();
  }

  return { resolveFunctions: resolveFunctions, formatNumber: formatNumber, mount: mount };
})();
