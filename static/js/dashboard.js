/* The dashboard's charts (issue 10): each <canvas data-chart="key"> is drawn with Chart.js
   (vendored in static/vendor/chartjs/) from the page's JSON (json_script "dashboard-charts",
   built by assessments/dashboard/charts.py). Large type and a colour-blind-safe palette with
   high contrast, for a projector; no animation; redrawn to the paper's width before printing.
   The same numbers are printed as a table under each chart, so nothing depends on this file. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var Chart = window.Chart;
  var specs = JSON.parse(source.textContent);
  // Okabe-Ito: told apart with any colour vision, dark enough on white.
  var palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6D00", "#56B4E9", "#000000"];
  var named = { yellow: "#E0A800", red: "#B02A37" };
  var small = window.matchMedia("(max-width: 575.98px)").matches;
  Chart.defaults.font.size = small ? 13 : 16;
  Chart.defaults.color = "#212529";
  Chart.defaults.borderColor = "rgba(0, 0, 0, 0.15)";
  Chart.defaults.animation = false;
  var charts = [];

  function dataset(d, i) {
    var color = named[d.color] || palette[i % palette.length];
    var out = { label: d.label, data: d.data, backgroundColor: color, borderColor: color };
    if (d.type) {
      out.type = d.type;
    }
    if (d.type === "line") {
      out.borderWidth = 3;
      out.pointRadius = 5;
      out.fill = false;
      out.order = -1;
    }
    if (d.target) {
      out.showLine = false;
      out.pointStyle = "rectRot";
      out.pointRadius = 10;
      out.borderColor = "#000000";
      out.backgroundColor = "#000000";
    }
    return out;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = specs[canvas.getAttribute("data-chart")];
    if (!spec) {
      return;
    }
    var box = canvas.parentElement;
    if (spec.horizontal) {
      box.style.height = Math.max(220, spec.labels.length * (small ? 30 : 38) + 90) + "px";
    }
    var unit = spec.unit || "";
    var valueAxis = {
      beginAtZero: true,
      stacked: Boolean(spec.stacked),
      ticks: { precision: 0 }
    };
    if (spec.max) {
      valueAxis.max = spec.max;
    }
    var labelAxis = { stacked: Boolean(spec.stacked), ticks: { autoSkip: false } };
    var options = {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: spec.horizontal ? "y" : "x",
      scales: spec.horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis },
      plugins: {
        legend: { display: spec.datasets.length > 1, position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (item) {
              var value = item.formattedValue;
              return item.dataset.label + ": " + value + (unit === "%" ? "%" : unit ? " " + unit : "");
            }
          }
        }
      }
    };
    charts.push(
      new Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: spec.datasets.map(dataset) },
        options: options
      })
    );
  });

  function resizeAll() {
    charts.forEach(function (chart) {
      chart.resize();
    });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
