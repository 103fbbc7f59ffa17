/*
 * Sandbox hosted fields: card and bank details are typed into an iframe served by the sandbox processor, posted to
 * its /tokens route from there, and only {token, brand, last4, method} reaches the page that embeds it.
 *
 * In the page (the parent):
 *   <script src="https://<api>/sandbox/v1/hosted-fields.js"></script>
 *   const fields = SandboxFields.mount(document.getElementById("pay-with"), {
 *     kind: "card",                       // or "bank" (ACH); "wallet": "apple_pay" marks a wallet payment
 *     onToken: ({token, brand, last4, method}) => ...,
 *     onError: ({code, message, details}) => ...,
 *   });
 *   fields.submit();                      // or let the customer press the frame's own button
 *
 * The same file runs inside fields.html (data-role="fields"), where it owns the form.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (script && script.getAttribute("data-role") === "fields") {
    frame(script);
  } else {
    window.SandboxFields = { mount: mount, base: script ? script.src.replace(/[^/]*$/, "") : "" };
  }

  // --- the parent page -----------------------------------------------------------------------------------------

  function mount(container, options) {
    options = options || {};
    var query = "kind=" + encodeURIComponent(options.kind === "bank" ? "bank" : "card");
    if (options.wallet) {
      query += "&wallet=" + encodeURIComponent(options.wallet);
    }
    var iframe = document.createElement("iframe");
    iframe.src = (options.base || window.SandboxFields.base) + "fields.html?" + query;
    iframe.title = "Secure payment details";
    iframe.style.border = "0";
    iframe.style.width = "100%";
    iframe.style.height = "20rem";
    var frameOrigin = new URL(iframe.src, window.location.href).origin;

    function onMessage(event) {
      if (event.origin !== frameOrigin || event.source !== iframe.contentWindow) {
        return;
      }
      var data = event.data || {};
      if (data.type === "sandbox.token" && options.onToken) {
        options.onToken({ token: data.token, brand: data.brand, last4: data.last4, method: data.method });
      } else if (data.type === "sandbox.error" && options.onError) {
        options.onError(data.error);
      } else if (data.type === "sandbox.resize" && data.height) {
        iframe.style.height = Math.ceil(data.height) + "px";
      }
    }

    window.addEventListener("message", onMessage);
    container.appendChild(iframe);
    return {
      submit: function () {
        iframe.contentWindow.postMessage({ type: "sandbox.submit" }, frameOrigin);
      },
      destroy: function () {
        window.removeEventListener("message", onMessage);
        iframe.remove();
      },
    };
  }

  // --- inside the iframe -------------------------------------------------------------------------------------------

  function frame(tag) {
    var params = new URLSearchParams(window.location.search);
    // The server names the one origin allowed to embed us (the web front-end's); locally it is our own.
    var parentOrigin = tag.getAttribute("data-parent-origin") || window.location.origin;
    var kind = params.get("kind") === "bank" ? "bank" : "card";
    var wallet = params.get("wallet");
    var form = document.getElementById(kind + "-form");
    var error = document.getElementById("error");
    var busy = false;
    form.hidden = false;

    function tell(message) {
      if (window.parent !== window) {
        window.parent.postMessage(message, parentOrigin);
      }
    }

    function value(id) {
      return document.getElementById(id).value.trim();
    }

    function details() {
      if (kind === "bank") {
        return { routing_number: value("routing_number"), account_number: value("account_number") };
      }
      var exp = value("exp").split(/\s*\/\s*/);
      var body = {
        number: value("number").replace(/[\s-]/g, ""),
        exp_month: parseInt(exp[0], 10) || 0,
        exp_year: parseInt(exp[1], 10) || 0,
        cvc: value("cvc"),
      };
      if (wallet) {
        body.wallet = wallet;
      }
      return body;
    }

    function showErrors(problems) {
      Array.prototype.forEach.call(form.querySelectorAll("input"), function (input) {
        input.removeAttribute("aria-invalid");
        var old = input.parentNode.querySelector(".field-error");
        if (old) {
          old.remove();
        }
      });
      (problems || []).forEach(function (problem) {
        var id = problem.field === "exp_month" || problem.field === "exp_year" ? "exp" : problem.field;
        var input = document.getElementById(id);
        if (!input) {
          return;
        }
        input.setAttribute("aria-invalid", "true");
        var note = document.createElement("span");
        note.className = "field-error";
        note.textContent = problem.reason;
        input.parentNode.appendChild(note);
      });
    }

    function tokenize() {
      if (busy) {
        return;
      }
      busy = true;
      form.querySelector("button").disabled = true;
      error.textContent = "";
      fetch("tokens", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(details()),
        credentials: "omit",
      })
        .then(function (response) {
          return response.json().then(function (body) {
            return { ok: response.ok, body: body };
          });
        })
        .then(function (result) {
          if (result.ok) {
            showErrors([]);
            form.reset();
            tell({
              type: "sandbox.token",
              token: result.body.id,
              brand: result.body.brand,
              last4: result.body.last4,
              method: result.body.method,
            });
          } else {
            var problem = result.body.error || { code: "invalid_request", message: "check the details" };
            showErrors(problem.details);
            error.textContent = problem.message;
            tell({ type: "sandbox.error", error: problem });
          }
        })
        .catch(function () {
          error.textContent = "The payment service could not be reached; try again.";
          tell({ type: "sandbox.error", error: { code: "unavailable", message: error.textContent } });
        })
        .finally(function () {
          busy = false;
          form.querySelector("button").disabled = false;
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      tokenize();
    });
    window.addEventListener("message", function (event) {
      if (event.origin === parentOrigin && event.data && event.data.type === "sandbox.submit") {
        tokenize();
      }
    });
    tell({ type: "sandbox.resize", height: document.documentElement.scrollHeight });
  }
})();
