/* "Get a new picture" for the contact form's captcha: fetch a new one without reloading
   the page, so that what has been typed stays. Without JavaScript (or if the request
   fails) the button submits the form, which comes back as typed with a new picture. */
(function () {
  "use strict";
  document.querySelectorAll("[data-captcha-refresh]").forEach(function (button) {
    var field = button.closest("[data-captcha]");
    if (!field || !window.fetch) {
      return;
    }
    var image = field.querySelector("img");
    var key = field.querySelector("input[type=hidden]");
    var answer = field.querySelector("input[type=text]");
    var status = field.querySelector("[role=status]");
    // With JavaScript the button no longer submits, so Enter in a text box sends the form.
    button.type = "button";
    button.addEventListener("click", function () {
      button.disabled = true;
      fetch(button.getAttribute("data-captcha-refresh"), {
        headers: { "X-Requested-With": "XMLHttpRequest", Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("captcha refresh failed: " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          image.src = data.image_url;
          key.value = data.key;
          answer.value = "";
          answer.focus();
          if (status) {
            status.textContent = "A new picture has been shown.";
          }
        })
        .catch(function () {
          // Fall back to the form's own refresh: what was typed comes back with it.
          button.type = "submit";
          button.form.requestSubmit ? button.form.requestSubmit(button) : button.click();
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  });
})();
