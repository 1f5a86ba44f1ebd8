// Passkeys (WebAuthn). A form marked data-passkey="<purpose>" gets its challenge from the
// server (data-options-url; the challenge is kept in the server-side session, once), lets the
// browser make or use a passkey, puts the browser's answer into its hidden "credential"
// field and is then sent as usual. Without this file (or in a browser without passkeys) the
// passkey buttons stay hidden and the rest of each page works as before; a form with typed
// fields (add, remove) is sent as it is, and the server says what is missing.
(() => {
  const toBytes = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  const toText = (buffer) => {
    let raw = "";
    new Uint8Array(buffer).forEach((b) => { raw += String.fromCharCode(b); });
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const withIds = (list) => (list || []).map((c) => ({ ...c, id: toBytes(c.id) }));

  const creationOptions = (o) => ({
    ...o, challenge: toBytes(o.challenge), user: { ...o.user, id: toBytes(o.user.id) },
    excludeCredentials: withIds(o.excludeCredentials),
  });
  const requestOptions = (o) => {
    const options = { ...o, challenge: toBytes(o.challenge) };
    if (o.allowCredentials) options.allowCredentials = withIds(o.allowCredentials);
    return options;
  };

  const answer = (credential) => {
    const r = credential.response;
    const response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      if (r.getTransports) response.transports = r.getTransports();
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) response.userHandle = toText(r.userHandle);
    }
    return {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type, response,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    };
  };

  const problem = (error) => {
    if (error && error.name === "NotAllowedError") {
      return "No passkey was used (it was cancelled, or took too long). Press the button to try again.";
    }
    if (error && error.name === "InvalidStateError") return "This passkey is already added.";
    if (error && error.userMessage) return error.userMessage;
    return "Passkeys did not work in this browser just now. Please try again.";
  };

  const run = async (form) => {
    const purpose = form.dataset.passkey;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("purpose", purpose);
    const reply = await fetch(form.dataset.optionsUrl, {
      method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json" },
    });
    let data = {};
    try { data = await reply.json(); } catch (_error) { data = {}; }
    if (!reply.ok) {
      const error = new Error("options refused");
      error.userMessage = data.message || "This page is out of date. Please reload it and try again.";
      throw error;
    }
    const credential = purpose === "add"
      ? await navigator.credentials.create({ publicKey: creationOptions(data.publicKey) })
      : await navigator.credentials.get({ publicKey: requestOptions(data.publicKey) });
    form.querySelector("input[name=credential]").value = JSON.stringify(answer(credential));
    form.submit();
  };

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.PublicKeyCredential || !navigator.credentials) return;
    document.querySelectorAll("form[data-passkey]").forEach((form) => {
      const message = form.querySelector(".passkey-message");
      const button = form.querySelector("button[type=submit]");
      form.hidden = false;
      form.addEventListener("submit", (event) => {
        const typed = form.querySelectorAll("input[type=text], input[type=password]");
        if ([...typed].some((input) => !input.value.trim())) return;  // the server lists what is missing
        event.preventDefault();
        if (message) message.textContent = "Follow your browser's steps to use your passkey…";
        if (button) button.disabled = true;
        run(form).catch((error) => {
          if (message) message.textContent = problem(error);
          if (button) button.disabled = false;
        });
      });
    });
  });
})();
