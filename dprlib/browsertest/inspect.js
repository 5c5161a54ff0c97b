// Page inspection of the kit's browser tests. Evaluated as one expression in
// a notebook page, either an nbconvert HTML export (JupyterLab classes) or a
// live classic Jupyter Notebook (output_* classes). It returns a promise of a
// plain object that browsertest.PageReport decodes.
(async function () {
  "use strict";

  // Output image elements: nbconvert's lab template puts image/png and
  // image/jpeg outputs in .jp-RenderedImage, the classic Notebook in
  // .output_png and .output_jpeg.
  var outputImageSelector = ".jp-RenderedImage img, .output_png img, .output_jpeg img";

  // Output blocks that hold standard error or an error output.
  var stderrSelector =
    '[data-mime-type="application/vnd.jupyter.stderr"], .output_stderr, .output_error';

  // A line that GoNB or a failed cell program writes when a cell fails, the
  // same rule as dprlib/scripts/run-notebooks.sh.
  var failureLine = /^(exit status [1-9][0-9]*|signal: \S+|panic: .*)$/m;

  function shorten(text, limit) {
    text = String(text).replace(/\s+/g, " ").trim();
    return text.length > limit ? text.slice(0, limit) + "…" : text;
  }

  // Waits until every image has loaded or failed, at most 5 s, so that
  // naturalWidth is final.
  var pending = Array.prototype.filter.call(document.images, function (img) {
    return !img.complete;
  });
  await Promise.race([
    Promise.all(pending.map(function (img) {
      return new Promise(function (resolve) {
        img.addEventListener("load", resolve, { once: true });
        img.addEventListener("error", resolve, { once: true });
      });
    })),
    new Promise(function (resolve) { setTimeout(resolve, 5000); }),
  ]);

  var report = {
    images: [],
    outputImages: 0,
    charts: [],
    svgOutputs: [],
    errors: [],
    math: { rendered: 0, failed: [] },
  };

  Array.prototype.forEach.call(document.images, function (img) {
    var source = img.getAttribute("src") || "";
    report.images.push({
      source: shorten(source, 60),
      naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight,
      complete: img.complete,
    });
  });
  report.outputImages = document.querySelectorAll(outputImageSelector).length;

  // ECharts marks the element of each chart instance with the attribute
  // _echarts_instance_. dprkit-chart is the element of the kit's interactive
  // views, which must hold a chart once its script has run.
  var chartElements = new Set(document.querySelectorAll("[_echarts_instance_], .dprkit-chart"));
  chartElements.forEach(function (element) {
    var chart = {
      id: element.id || element.getAttribute("_echarts_instance_") || "",
      instance: element.hasAttribute("_echarts_instance_"),
      canvases: 0,
      inkPixels: 0,
      svgPaths: element.querySelectorAll("svg path").length,
      width: element.clientWidth,
      height: element.clientHeight,
      readError: "",
    };
    element.querySelectorAll("canvas").forEach(function (canvas) {
      chart.canvases++;
      if (canvas.width === 0 || canvas.height === 0) {
        return;
      }
      try {
        var context = canvas.getContext("2d");
        if (context) {
          // A pixel with any alpha is ink: ECharts draws on a transparent
          // canvas unless the option sets a background color.
          var data = context.getImageData(0, 0, canvas.width, canvas.height).data;
          for (var i = 3; i < data.length; i += 4) {
            if (data[i] !== 0) {
              chart.inkPixels++;
            }
          }
        } else {
          // A WebGL canvas has no 2D context: compare with a blank canvas.
          var blank = document.createElement("canvas");
          blank.width = canvas.width;
          blank.height = canvas.height;
          if (canvas.toDataURL() !== blank.toDataURL()) {
            chart.inkPixels++;
          }
        }
      } catch (err) {
        chart.readError = String(err);
      }
    });
    report.charts.push(chart);
  });

  // image/svg+xml outputs: nbconvert 6.5 writes them into .jp-RenderedSVG,
  // the classic Notebook into .output_svg.
  document.querySelectorAll(".jp-RenderedSVG, .output_svg").forEach(function (element) {
    var svg = element.querySelector("svg");
    var box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    report.svgOutputs.push({
      hasSVG: svg !== null,
      width: Math.round(box.width),
      height: Math.round(box.height),
      shapes: svg ? svg.querySelectorAll("path, rect, circle, line, polyline, polygon, text").length : 0,
    });
  });

  // GoNB's display of a compile error uses classes that start with gonb-err.
  document.querySelectorAll('[class*="gonb-err"]').forEach(function (element) {
    if (!element.parentElement || !element.parentElement.closest('[class*="gonb-err"]')) {
      report.errors.push("GoNB error display: " + shorten(element.textContent, 300));
    }
  });
  // dprlib/notebook.Must shows a failed step as a <pre> that starts with "error:".
  document.querySelectorAll("pre").forEach(function (pre) {
    if (/^\s*error:/.test(pre.textContent) && !pre.closest(".CodeMirror, .jp-InputArea, .input")) {
      report.errors.push("error display: " + shorten(pre.textContent, 300));
    }
  });
  document.querySelectorAll(stderrSelector).forEach(function (element) {
    var text = element.textContent;
    if (element.classList.contains("output_error")) {
      report.errors.push("error output: " + shorten(text, 300));
      return;
    }
    var match = text.match(failureLine);
    if (match) {
      report.errors.push("standard error: " + match[0] + " in: " + shorten(text, 300));
    }
  });

  // MathJax 2 marks typeset math with MathJax_CHTML (CommonHTML output) or
  // MathJax (HTML-CSS output). A TeX parse error shows its source in an
  // element of class mjx-noError (CommonHTML) or noError (HTML-CSS) with the
  // noErrors extension of the TeX-AMS configurations, and in mjx-merror
  // without it. An undefined macro only turns red (noUndefined) and is not
  // detected.
  report.math.rendered = document.querySelectorAll(".MathJax_CHTML, .MathJax, mjx-container").length;
  document.querySelectorAll(".mjx-noError, .noError, .mjx-merror").forEach(function (element) {
    report.math.failed.push(shorten(element.textContent, 200));
  });

  return report;
})()
