// The review desk's only script: zoom the photo (and its heatmap) and submit the language menu on change.
// Everything else works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const stage = document.getElementById("stage");
  const viewer = document.getElementById("viewer");
  if (stage && viewer) {
    const steps = [1, 1.5, 2, 3, 4, 6];
    let level = 0;
    const apply = (centerX, centerY) => {
      const before = stage.offsetWidth;
      stage.style.width = `${steps[level] * 100}%`;
      const ratio = stage.offsetWidth / before;
      viewer.scrollLeft = (viewer.scrollLeft + centerX) * ratio - centerX;
      viewer.scrollTop = (viewer.scrollTop + centerY) * ratio - centerY;
      stage.dataset.zoom = String(steps[level]);
    };
    document.querySelectorAll("[data-zoom]").forEach((button) => {
      button.addEventListener("click", () => {
        const kind = button.dataset.zoom;
        level = kind === "in" ? Math.min(level + 1, steps.length - 1) : kind === "out" ? Math.max(level - 1, 0) : 0;
        apply(viewer.clientWidth / 2, viewer.clientHeight / 2);
      });
    });
    viewer.addEventListener("dblclick", (event) => {
      const box = viewer.getBoundingClientRect();
      level = level === steps.length - 1 ? 0 : level + 1;
      apply(event.clientX - box.left, event.clientY - box.top);
    });
  }
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
});
