// The subtype select offers only the subtypes of the chosen cooperation type (policy T-1 … T-3;
// issue 8). A subtype's value starts with its type's ("T-2b" belongs to "T-2"). Without this
// script every subtype is listed and the form refuses a mismatch with a message on submit.
(function () {
  "use strict";
  function wire(subtype) {
    var form = subtype.form;
    var type = form && form.elements.namedItem(subtype.getAttribute("data-subtype-of"));
    if (!type || type.dataset.subtypeWired) {
      return;
    }
    type.dataset.subtypeWired = "1";
    function apply() {
      var chosen = type.value;
      var firstFitting = null;
      Array.prototype.forEach.call(subtype.options, function (option) {
        var fits = !chosen || option.value === "" || option.value.indexOf(chosen) === 0;
        option.hidden = !fits;
        option.disabled = !fits;
        if (fits && option.value && firstFitting === null) {
          firstFitting = option;
        }
      });
      var current = subtype.options[subtype.selectedIndex];
      if ((!current || current.disabled) && firstFitting) {
        firstFitting.selected = true;
      }
    }
    type.addEventListener("change", apply);
    apply();
  }
  function wireAll(root) {
    Array.prototype.forEach.call(
      (root || document).querySelectorAll("select[data-subtype-of]"),
      wire
    );
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { wireAll(); });
  } else {
    wireAll();
  }
  document.addEventListener("htmx:afterSwap", function (event) { wireAll(event.target); });
})();
