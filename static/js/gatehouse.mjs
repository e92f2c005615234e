// Gatehouse's own JavaScript. Everything it does is an enhancement: every page works
// without it. Loaded as a module with the page's CSP nonce.
import {
  Button, Checkboxes, ErrorSummary, FileUpload, NotificationBanner, PasswordInput, Radios,
  ServiceNavigation, SkipLink, createAll,
} from "/static/dist/govuk-frontend.min.js";

const COMPONENTS = [
  Button, Checkboxes, ErrorSummary, FileUpload, NotificationBanner, PasswordInput, Radios,
  ServiceNavigation, SkipLink,
];

function initialise(scope) {
  for (const Component of COMPONENTS) {
    createAll(Component, undefined, {
      scope,
      onError(error) {
        // A component initialised twice (after an htmx swap) is harmless.
        if (error && error.name !== "InitError") {
          console.error(error);
        }
      },
    });
  }
}

if (window.htmx) {
  window.htmx.onLoad((element) => initialise(element));
} else {
  initialise(document);
}

// Idle-session warning: the server tells us when the session will end; warn two minutes
// before, and offer to stay signed in (a plain link that also works without JavaScript).
// Before warning and before leaving, ask the server how long is really left (asking does not
// count as activity): work in another tab may have kept the session alive.
const WARN_SECONDS = 120;
const warning = document.querySelector("[data-session-expires-in]");

async function secondsLeft() {
  try {
    const response = await fetch(warning.dataset.statusUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    const status = await response.json();
    return status.signed_in ? status.seconds_left : 0;
  } catch {
    return null; // server unreachable: keep to our own timer
  }
}

let deadline = 0;

function schedule(seconds) {
  window.clearTimeout(schedule.timer);
  deadline = Date.now() + seconds * 1000;
  if (seconds > WARN_SECONDS) {
    warning.hidden = true;
    schedule.timer = window.setTimeout(check, (seconds - WARN_SECONDS) * 1000);
  } else if (seconds > 0) {
    warning.hidden = false;
    warning.setAttribute("role", "alert");
    schedule.timer = window.setTimeout(check, seconds * 1000);
  } else {
    window.location.assign(warning.dataset.signOutUrl);
  }
}

async function check() {
  const left = await secondsLeft();
  schedule(left === null ? Math.max(0, Math.round((deadline - Date.now()) / 1000)) : left);
}

if (warning) {
  schedule(Number(warning.dataset.sessionExpiresIn));
}
