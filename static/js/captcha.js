/* The contact form. "Get a new picture" fetches a new captcha without reloading the
   page, so that what has been typed stays. Without JavaScript (or if the request
   fails) the button submits the form, which comes back as typed with a new picture. */
(function () {
  "use strict";
  // A second click on "Send message" would post the same captcha again, be refused, and
  // show an error although the first message was received: send each form once.
  document.querySelectorAll("form.contact-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "refresh_captcha") {
        return;
      }
      if (form.hasAttribute("data-sending")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sending", "");
    });
    // Coming back to the page from the browser's history: the form can be sent again.
    window.addEventListener("pageshow", function () {
      form.removeAttribute("data-sending");
    });
  });
  document.querySelectorAll("[data-captcha-refresh]").forEach(function (button) {
    var field = button.closest("[data-captcha]");
    if (!field || !window.fetch) {
      return;
    }
    var image = field.querySelector("img");
    var audio = field.querySelector("[data-captcha-audio]");
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
          if (audio && data.audio_url) {
            audio.href = data.audio_url;
          }
          key.value = data.key;
          answer.value = "";
          answer.focus();
          if (status) {
            status.textContent = "A new picture has been shown.";
          }
        })
        .catch(function () {
          // Fall back to the form's own refresh: what was typed comes back with it. The
          // button is enabled first: a disabled one is left out of what the form sends,
          // which would then be taken for a message.
          button.disabled = false;
          button.type = "submit";
          button.form.requestSubmit ? button.form.requestSubmit(button) : button.click();
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  });
})();
