// Opening hours: marks today's row in each week of opening hours ("(today)", aria-current),
// says on it when today is a holiday or has special hours, and drops the changes to the
// hours that are already over. "Today" is the clinic's, in its time zone (data-time-zone on
// this script's element), whatever the patient's own clock says.
// The page is served from caches for days, so the HTML never says which day is today: it
// lists the week and the coming changes by their dates, which stays true without this script.
(function () {
  "use strict";
  var script = document.currentScript;
  var blocks = document.querySelectorAll("[data-opening-hours]");
  if (!blocks.length || !script) return;

  // Today in the clinic's time zone: its ISO date ("2026-12-25") and ISO weekday (Monday 1).
  function clinicToday(timeZone) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    })
      .formatToParts(new Date())
      .forEach(function (part) {
        parts[part.type] = part.value;
      });
    var year = parseInt(parts.year, 10);
    var month = parseInt(parts.month, 10);
    var day = parseInt(parts.day, 10);
    return {
      date: parts.year + "-" + parts.month + "-" + parts.day,
      weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() || 7,
    };
  }

  var today;
  try {
    today = clinicToday(script.dataset.timeZone);
  } catch (error) {
    return; // a browser without that time zone: the page says everything without us
  }

  blocks.forEach(function (block) {
    var todayText = "";
    var changes = block.querySelector("[data-opening-changes]");
    if (changes) {
      var left = 0;
      changes.querySelectorAll("li[data-first-day]").forEach(function (item) {
        // ISO dates compare as text.
        if (item.dataset.lastDay < today.date) {
          item.hidden = true;
          return;
        }
        left += 1;
        if (!todayText && item.dataset.firstDay <= today.date) todayText = item.dataset.todayText;
      });
      if (!left) changes.hidden = true;
    }

    var row = block.querySelector('tr[data-weekday="' + today.weekday + '"]');
    if (!row) return;
    row.setAttribute("aria-current", "date");
    row.classList.add("opening-hours__today");
    var marker = document.createElement("span");
    marker.className = "opening-hours__today-marker";
    marker.textContent = " (today)";
    row.querySelector("th").appendChild(marker);
    if (todayText) {
      var note = document.createElement("strong");
      note.className = "opening-hours__today-note";
      note.textContent = todayText;
      var usual = row.querySelector(".opening-hours__usual");
      usual.insertAdjacentText("afterbegin", "Usually: ");
      usual.parentNode.insertBefore(note, usual);
      row.classList.add("opening-hours__today--changed");
    }
  });
})();
