// Gatehouse's own JavaScript. Everything it does is an enhancement: every page works
// without it. Loaded as a module with the page's CSP nonce.
import {
  Button, Checkboxes, ErrorSummary, NotificationBanner, PasswordInput, Radios,
  ServiceNavigation, SkipLink, createAll,
} from "/static/dist/govuk-frontend.min.js";

const COMPONENTS = [
  Button, Checkboxes, ErrorSummary, NotificationBanner, PasswordInput, Radios,
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
const warning = document.querySelector("[data-session-expires-in]");
if (warning) {
  const seconds = Number(warning.dataset.sessionExpiresIn);
  const warnAt = Math.max(0, (seconds - 120) * 1000);
  window.setTimeout(() => {
    warning.hidden = false;
    warning.setAttribute("role", "alert");
  }, warnAt);
  window.setTimeout(() => {
    window.location.assign(warning.dataset.signOutUrl);
  }, seconds * 1000);
}
