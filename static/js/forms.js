/* Forms of the whole site (issue 8), in one file because pages carry no inline script (a strict
 * Content-Security-Policy is coming):
 * - a form with data-confirm asks first in a Bootstrap modal (irreversible actions: a red card,
 *   不予批准, ending a membership); data-confirm-when="name=value" asks only when that field has
 *   that value. Keyboard: the modal takes the focus (on 取消), Escape cancels, the focus returns.
 * - the buttons of a posting form are disabled while it posts (no double submissions), and are
 *   enabled again when the page is shown from the back/forward cache or after a while;
 * - a form with a chosen file posts through XMLHttpRequest with a progress bar; the answer is
 *   shown as after a normal post (a redirect is followed by the browser: the server names its
 *   target, UploadRedirectMiddleware; a page with errors replaces this one). Without
 *   XMLHttpRequest/FormData (or on a network error) the form posts normally.
 * The texts come from this script tag's data attributes (translated by the template). */
(function () {
  "use strict";
  var script = document.currentScript;
  var text = function (name, fallback) {
    return (script && script.dataset[name]) || fallback;
  };
  var BUSY = "qgBusy";
  var CONFIRMED = "qgConfirmed";
  var modal = null;

  function needsConfirm(form) {
    if (!form.hasAttribute("data-confirm")) return false;
    var when = form.getAttribute("data-confirm-when");
    if (!when) return true;
    var parts = when.split("=");
    var field = form.elements[parts[0]];
    if (!field) return false;
    return field.value === parts.slice(1).join("=");
  }

  function buildModal() {
    var root = document.createElement("div");
    root.className = "modal fade";
    root.id = "qg-confirm";
    root.tabIndex = -1;
    root.setAttribute("role", "dialog");
    root.setAttribute("aria-modal", "true");
    root.setAttribute("aria-labelledby", "qg-confirm-title");
    root.setAttribute("aria-describedby", "qg-confirm-body");
    root.innerHTML =
      '<div class="modal-dialog modal-dialog-centered"><div class="modal-content">' +
      '<div class="modal-header"><h2 class="modal-title h5" id="qg-confirm-title"></h2>' +
      '<button type="button" class="btn-close" data-bs-dismiss="modal"></button></div>' +
      '<div class="modal-body"><p class="mb-0" id="qg-confirm-body"></p></div>' +
      '<div class="modal-footer">' +
      '<button type="button" class="btn btn-outline-secondary" data-bs-dismiss="modal" data-qg-cancel></button>' +
      '<button type="button" class="btn btn-danger" data-qg-ok></button></div></div></div>';
    root.querySelector("#qg-confirm-title").textContent = text("confirmTitle", "请确认");
    root.querySelector(".btn-close").setAttribute("aria-label", text("close", "关闭"));
    root.querySelector("[data-qg-cancel]").textContent = text("cancel", "取消");
    root.querySelector("[data-qg-ok]").textContent = text("ok", "确认");
    document.body.appendChild(root);
    root.addEventListener("shown.bs.modal", function () {
      root.querySelector("[data-qg-cancel]").focus();
    });
    return root;
  }

  function ask(form, submitter) {
    var message = form.getAttribute("data-confirm");
    var go = function () {
      form.dataset[CONFIRMED] = "1";
      if (form.requestSubmit) form.requestSubmit(submitter || undefined);
      else form.submit();
    };
    if (!window.bootstrap || !window.bootstrap.Modal) {
      if (window.confirm(message)) go();
      return;
    }
    modal = modal || buildModal();
    modal.querySelector("#qg-confirm-body").textContent = message;
    var dialog = window.bootstrap.Modal.getOrCreateInstance(modal);
    var ok = modal.querySelector("[data-qg-ok]");
    var fresh = ok.cloneNode(true); // drop the previous form's listener
    ok.parentNode.replaceChild(fresh, ok);
    var confirmed = false;
    fresh.addEventListener("click", function () {
      confirmed = true;
      dialog.hide();
    });
    modal.addEventListener(
      "hidden.bs.modal",
      function () {
        if (confirmed) go();
        else if (submitter) submitter.focus(); // the keyboard user is back where they were
      },
      { once: true }
    );
    dialog.show(submitter || undefined);
  }

  function buttons(form) {
    var inside = Array.prototype.slice.call(
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]")
    );
    if (form.id) {
      inside = inside.concat(
        Array.prototype.slice.call(document.querySelectorAll('[form="' + form.id + '"]'))
      );
    }
    return inside;
  }

  function disable(form) {
    buttons(form).forEach(function (b) {
      if (!b.disabled) {
        b.disabled = true;
        b.setAttribute("data-qg-disabled", "");
        b.setAttribute("aria-busy", "true");
      }
    });
  }

  function enable(form) {
    delete form.dataset[BUSY];
    buttons(form).forEach(function (b) {
      if (b.hasAttribute("data-qg-disabled")) {
        b.disabled = false;
        b.removeAttribute("data-qg-disabled");
        b.removeAttribute("aria-busy");
      }
    });
  }

  function hasChosenFile(form) {
    return Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (i) {
      return i.files && i.files.length > 0;
    });
  }

  function progressBar(form) {
    var wrap = document.createElement("div");
    wrap.className = "progress mt-2";
    wrap.setAttribute("data-testid", "upload-progress");
    var bar = document.createElement("div");
    bar.className = "progress-bar";
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.setAttribute("aria-valuenow", "0");
    bar.setAttribute("aria-label", text("uploading", "正在上传"));
    bar.style.width = "0%";
    wrap.appendChild(bar);
    form.appendChild(wrap);
    return bar;
  }

  function replacePage(xhr) {
    // The server answers a redirect of this post with its target (UploadRedirectMiddleware):
    // go there as after a normal post. Otherwise the answer is a page (the form with its
    // errors): show it in place.
    var target = xhr.getResponseHeader("X-Location");
    if (target) {
      window.location.assign(target);
      return;
    }
    document.open();
    document.write(xhr.responseText);
    document.close();
  }

  function upload(form, submitter) {
    var data;
    try {
      data = new FormData(form, submitter || undefined);
    } catch (err) {
      data = new FormData(form);
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    }
    var bar = progressBar(form);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("X-Upload-Progress", "1");
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round((e.loaded / e.total) * 100);
      bar.style.width = pct + "%";
      bar.setAttribute("aria-valuenow", String(pct));
      bar.textContent = pct + "%";
    });
    xhr.addEventListener("load", function () {
      replacePage(xhr);
    });
    xhr.addEventListener("error", function () {
      bar.parentNode.remove();
      HTMLFormElement.prototype.submit.call(form); // the normal post
    });
    xhr.send(data);
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement) || e.defaultPrevented) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (needsConfirm(form) && form.dataset[CONFIRMED] !== "1") {
      e.preventDefault();
      ask(form, e.submitter);
      return;
    }
    delete form.dataset[CONFIRMED];
    if (form.dataset[BUSY] === "1") {
      e.preventDefault(); // already posting
      return;
    }
    form.dataset[BUSY] = "1";
    var uploading = hasChosenFile(form) && window.XMLHttpRequest && window.FormData;
    if (uploading) {
      e.preventDefault();
      upload(form, e.submitter);
    }
    // After this event: a disabled submitter would not be posted.
    window.setTimeout(function () {
      disable(form);
    }, 0);
    // A post that does not leave the page (a download) gives the buttons back.
    if (!uploading) {
      window.setTimeout(function () {
        enable(form);
      }, 15000);
    }
  });

  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.forms, enable);
  });
})();
