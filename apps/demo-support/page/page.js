// The demo's sign-in page. It uses the cookie transport (docs/http-api.md): every call to
// /auth sends `X-Auth101-Transport: cookie`, so the session lives in an HttpOnly cookie that
// this script never sees, and no token ever reaches a body it can read.

const AUTH = "/auth";

/** The element with `data-testid` = `id` (every control the tests drive has one). */
function byTestId(id) {
  return document.querySelector(`[data-testid="${id}"]`);
}

/** Calls the API; resolves `{ ok, status, body }` and never rejects (a network failure is a message). */
async function call(method, path, body) {
  const headers = { "x-auth101-transport": "cookie" };
  if (body !== undefined) headers["content-type"] = "application/json";
  try {
    const response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed = null;
    try {
      parsed = text === "" ? null : JSON.parse(text);
    } catch {
      parsed = null;
    }
    return { ok: response.ok, status: response.status, body: parsed };
  } catch (error) {
    return { ok: false, status: 0, body: { error: { code: "NETWORK_ERROR", message: String(error) } } };
  }
}

function say(text, isError = false) {
  const message = byTestId("message");
  message.textContent = text;
  message.classList.toggle("error", isError);
}

/** Shows a failed answer as `CODE: message`, the code first so a person can look it up. */
function sayFailure(answer) {
  const error = answer.body?.error;
  if (error) say(`${error.code}: ${error.message}`, true);
  else say(`HTTP ${answer.status}`, true);
}

/** Disables the button while its action runs, so a double click sends one request. */
function onClick(testId, action) {
  const button = byTestId(testId);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
    }
  });
}

// --- The account page (GET /) ---------------------------------------------------------

function showSignedIn(email) {
  byTestId("signed-in-as").textContent = email ?? "";
  for (const section of document.querySelectorAll(".signed-in-only")) section.hidden = email === undefined;
  for (const section of document.querySelectorAll(".signed-out-only")) section.hidden = email !== undefined;
}

/** Asks the app who is signed in (its protected GET /me) and shows the answer. */
async function refreshSignedIn() {
  const me = await call("GET", "/me");
  if (!me.ok) {
    showSignedIn(undefined);
    renderSessions([]);
    return false;
  }
  showSignedIn(me.body.email);
  await refreshSessions();
  return true;
}

async function refreshSessions() {
  const answer = await call("GET", `${AUTH}/sessions`);
  if (answer.ok) renderSessions(answer.body.sessions);
  else sayFailure(answer);
}

function renderSessions(sessions) {
  const list = byTestId("sessions");
  list.replaceChildren(
    ...sessions.map((session) => {
      const item = document.createElement("li");
      item.dataset.sessionId = session.id;
      const label = document.createElement("span");
      label.textContent = `Signed in ${new Date(session.created_at).toLocaleString()}`;
      if (session.current) {
        const current = document.createElement("span");
        current.className = "current";
        current.textContent = "this browser";
        label.append(current);
      }
      const end = document.createElement("button");
      end.type = "button";
      end.className = "secondary";
      end.textContent = "End";
      end.addEventListener("click", () => endSession(session));
      item.append(label, end);
      return item;
    }),
  );
}

async function endSession(session) {
  const answer = await call("DELETE", `${AUTH}/sessions/${encodeURIComponent(session.id)}`);
  if (!answer.ok) return sayFailure(answer);
  say(session.current ? "This session ended: signed out." : "Session ended.");
  await refreshSignedIn();
}

function credentials() {
  return { email: byTestId("email").value, password: byTestId("password").value };
}

async function signInWith(path, successText) {
  const answer = await call("POST", `${AUTH}${path}`, credentials());
  if (!answer.ok) return sayFailure(answer);
  byTestId("password").value = "";
  if (answer.body.user && (await refreshSignedIn())) say(`${successText} as ${answer.body.user.email}.`);
  else say(`${successText}. Check your email to verify your address, then sign in.`);
}

async function signOut(path, successText) {
  const answer = await call("POST", `${AUTH}${path}`);
  if (!answer.ok) sayFailure(answer);
  else say(successText);
  await refreshSignedIn();
}

async function changePassword() {
  const answer = await call("POST", `${AUTH}/change-password`, {
    current_password: byTestId("current-password").value,
    new_password: byTestId("new-password").value,
  });
  if (!answer.ok) return sayFailure(answer);
  byTestId("current-password").value = "";
  byTestId("new-password").value = "";
  say("Password changed. Your other sessions were signed out.");
  await refreshSessions();
}

async function requestPasswordReset() {
  const email = byTestId("email").value;
  if (email === "") return say("Enter your email first.", true);
  const answer = await call("POST", `${AUTH}/request-password-reset`, { email });
  if (!answer.ok) return sayFailure(answer);
  say(`If ${email} has an account, a reset link is on its way.`);
}

async function accountPage() {
  onClick("sign-up", () => signInWith("/sign-up/email", "Signed up"));
  onClick("sign-in", () => signInWith("/sign-in/email", "Signed in"));
  onClick("sign-out", () => signOut("/sign-out", "Signed out."));
  onClick("sign-out-all", () => signOut("/sign-out/all", "Signed out everywhere."));
  onClick("change-password", changePassword);
  onClick("forgot-password", requestPasswordReset);
  await refreshSignedIn();
}

// --- The pages an emailed link opens ---------------------------------------------------

/**
 * The `token` of the link, read once and then removed from the address bar and history, so
 * it is not left where the next person at this browser (or a screenshot) would find it.
 */
function takeTokenFromUrl() {
  const url = new URL(window.location.href);
  const token = url.searchParams.get("token") ?? "";
  url.searchParams.delete("token");
  window.history.replaceState(null, "", url.pathname + url.search);
  return token;
}

function resetPasswordPage() {
  const token = takeTokenFromUrl();
  onClick("reset-password", async () => {
    const answer = await call("POST", `${AUTH}/reset-password`, {
      token,
      new_password: byTestId("new-password").value,
    });
    if (!answer.ok) return sayFailure(answer);
    byTestId("new-password").value = "";
    say("Password changed. Every session was signed out: sign in with your new password.");
  });
}

async function verifyEmailPage() {
  const answer = await call("POST", `${AUTH}/verify-email`, { token: takeTokenFromUrl() });
  if (!answer.ok) return sayFailure(answer);
  say("Email verified. You can sign in now.");
}

const pages = { account: accountPage, "reset-password": resetPasswordPage, "verify-email": verifyEmailPage };
pages[document.body.dataset.page]?.();
