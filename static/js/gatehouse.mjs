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
  enhanceUploads(scope);
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

// Upload progress: a form marked data-upload-form (the Transfers send forms) is sent with
// XMLHttpRequest, so its upload progress shows in the form's <progress> and, for screen readers,
// in a polite live region every tenth. Without JavaScript it is an ordinary form post. The
// X-Gatehouse-Upload header asks the server to answer success with the next page's address
// (X-Gatehouse-Redirect) rather than a redirect, which XMLHttpRequest would follow and so use up
// the page's "sent" message; any other answer (a page listing what was refused) replaces <main>.
// A form also marked data-upload-raw="<recipient field>" sends a single chosen file as the
// request body itself (see views/transfers.py RAW_TYPE); several files go as the form does.
const UPLOAD_STEP = 10;

function megabytes(bytes) {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

function showPage(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const fresh = page.querySelector("main");
  const current = document.querySelector("main");
  if (!fresh || !current) {
    return false;
  }
  document.title = page.title;
  current.replaceWith(document.adoptNode(fresh));
  initialise(fresh);
  const focus = fresh.querySelector(".govuk-error-summary, #upload-outcomes") || fresh.querySelector("h1");
  if (focus) {
    focus.setAttribute("tabindex", "-1");
    focus.focus();
  }
  return true;
}

function enhanceUpload(form) {
  if (form.dataset.uploadEnhanced) {
    return;
  }
  form.dataset.uploadEnhanced = "true";
  const box = form.querySelector("[data-upload-progress]");
  const bar = box.querySelector("progress");
  const status = box.querySelector("[data-upload-status]");
  const button = form.querySelector("[type=submit]");

  function finish(message) {
    status.textContent = message;
    button.disabled = false;
    button.removeAttribute("aria-disabled");
    delete form.dataset.uploading;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (form.dataset.uploading) {
      return;
    }
    form.dataset.uploading = "true";
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Gatehouse-Upload", "progress");
    const files = form.querySelector("input[type=file]").files;
    const recipient = form.dataset.uploadRaw && form.querySelector(`[name=${form.dataset.uploadRaw}]`);
    let body;
    if (recipient && files.length === 1) {
      // One file to one recipient: the file itself is the body, so the server need not parse a multipart form.
      body = files[0];
      request.setRequestHeader("Content-Type", "application/octet-stream");
      request.setRequestHeader("X-Gatehouse-File-Name", encodeURIComponent(body.name));
      request.setRequestHeader("X-Gatehouse-Recipient", recipient.value);
      request.setRequestHeader("X-CSRFToken", form.querySelector("[name=csrf_token]").value);
    } else {
      body = new FormData(form, event.submitter);
    }
    let announced = -UPLOAD_STEP;
    box.hidden = false;
    bar.value = 0;
    status.textContent = "Uploading: 0%";
    button.disabled = true;
    button.setAttribute("aria-disabled", "true");
    request.upload.addEventListener("progress", (progress) => {
      if (!progress.lengthComputable) {
        return;
      }
      const percent = Math.floor((progress.loaded / progress.total) * 100);
      bar.value = percent;
      if (percent >= announced + UPLOAD_STEP) {
        announced = percent - (percent % UPLOAD_STEP);
        status.textContent = `Uploading: ${percent}% (${megabytes(progress.loaded)} of ${megabytes(progress.total)})`;
      }
    });
    request.upload.addEventListener("load", () => {
      bar.value = 100;
      status.textContent = "Uploaded. Checking and sending your files…";
    });
    request.addEventListener("load", () => {
      const next = request.getResponseHeader("X-Gatehouse-Redirect");
      const redirected = new URL(request.responseURL).pathname !== new URL(form.action).pathname;
      if (next || redirected) {
        window.location.assign(next || request.responseURL);
      } else if (!showPage(request.responseText)) {
        finish("Something went wrong. Try again, or send the files without this page's progress bar by reloading it.");
      }
    });
    request.addEventListener("error", () => {
      finish("The upload stopped before it finished. Check your connection and that the files are within the size limit, then try again.");
    });
    request.send(body);
  });
}

function enhanceUploads(scope) {
  const root = scope || document;
  const forms = root.matches && root.matches("form[data-upload-form]") ? [root] : [];
  forms.push(...root.querySelectorAll("form[data-upload-form]"));
  forms.forEach(enhanceUpload);
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
