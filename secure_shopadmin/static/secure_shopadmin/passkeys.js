/*
 * Passkeys and security keys (WebAuthn) for django-secure-shopadmin: no framework, no inline script.
 *
 * A page marks a button with data attributes; this file (loaded with <script src defer>) binds it:
 *   data-passkey-ceremony="create" | "get"   which browser call the button makes
 *   data-options="ID"      id of a <script type="application/json"> holding the server's options
 *                          (Django's json_script), base64url-encoded as the WebAuthn JSON forms are
 *   data-field="NAME"      the hidden input of the button's form that receives the browser's answer
 *   data-status="ID"       element that shows a message when the browser call fails
 *   data-msg-failed, data-msg-exists, data-msg-unsupported   those messages, translated by the server
 *   data-conditional="true"   ("get" only) also ask the browser, on load, to offer its passkeys in the
 *                          page's username field (mediation "conditional", autocomplete="username webauthn");
 *                          a click on the button cancels that offer and opens the browser's dialog
 * On success the answer is put in the field as JSON and the form is submitted (a normal POST with
 * its CSRF token); the server checks it. Nothing here decides anything.
 */
(function () {
  "use strict";

  if (window.secureShopadminPasskeys) {
    return;  /* a page with two passkey forms loads this file twice: bind once */
  }

  function toBytes(base64url) {
    var base64 = String(base64url).replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = window.atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i += 1) {
      binary += String.fromCharCode(bytes[i]);
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(descriptors) {
    return (descriptors || []).map(function (descriptor) {
      var copy = Object.assign({}, descriptor);
      copy.id = toBytes(descriptor.id);
      return copy;
    });
  }

  function creationOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.user = Object.assign({}, json.user, {id: toBytes(json.user.id)});
    options.excludeCredentials = withIds(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = Object.assign({}, json);
    options.challenge = toBytes(json.challenge);
    options.allowCredentials = withIds(json.allowCredentials);
    return options;
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var answer = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: {clientDataJSON: toBase64url(response.clientDataJSON)}
    };
    if (response.attestationObject) {
      answer.response.attestationObject = toBase64url(response.attestationObject);
      answer.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      answer.response.authenticatorData = toBase64url(response.authenticatorData);
      answer.response.signature = toBase64url(response.signature);
      answer.response.userHandle = response.userHandle ? toBase64url(response.userHandle) : null;
    }
    return answer;
  }

  function supported() {
    return Boolean(window.PublicKeyCredential && navigator.credentials && window.isSecureContext);
  }

  function say(button, key) {
    var status = document.getElementById(button.dataset.status);
    if (status) {
      status.textContent = button.dataset[key] || button.dataset.msgFailed || "";
      status.className = "errornote";  /* the admin's look; added only when shown, as it sets display */
      status.hidden = false;
    }
  }

  function optionsOf(button) {
    return JSON.parse(document.getElementById(button.dataset.options).textContent);
  }

  function answer(button, credential) {
    button.form.elements[button.dataset.field].value = JSON.stringify(credentialJSON(credential));
    button.form.submit();
  }

  function offerInUsernameField(button) {
    var check = window.PublicKeyCredential && window.PublicKeyCredential.isConditionalMediationAvailable;
    if (!check || !window.AbortController) {
      return;
    }
    window.PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (!available) {
        return;
      }
      var controller = new window.AbortController();
      button.ssaConditional = controller;
      navigator.credentials.get({
        publicKey: requestOptions(optionsOf(button)), mediation: "conditional", signal: controller.signal
      }).then(function (credential) {
        answer(button, credential);
      }).catch(function () {
        /* cancelled for the button's dialog, or the user typed a password: nothing to say */
      });
    });
  }

  function run(button) {
    var options = optionsOf(button);
    if (button.ssaConditional) {
      button.ssaConditional.abort();
      button.ssaConditional = null;
    }
    var call = button.dataset.passkeyCeremony === "create"
      ? navigator.credentials.create({publicKey: creationOptions(options)})
      : navigator.credentials.get({publicKey: requestOptions(options)});
    button.disabled = true;
    call.then(function (credential) {
      answer(button, credential);
    }).catch(function (error) {
      button.disabled = false;
      say(button, error && error.name === "InvalidStateError" ? "msgExists" : "msgFailed");
    });
  }

  function bind() {
    var buttons = document.querySelectorAll("[data-passkey-ceremony]");
    Array.prototype.forEach.call(buttons, function (button) {
      if (!supported()) {
        button.disabled = true;
        say(button, "msgUnsupported");
        return;
      }
      button.disabled = false;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        run(button);
      });
      if (button.dataset.conditional === "true" && button.dataset.passkeyCeremony === "get") {
        offerInUsernameField(button);
      }
    });
  }

  window.secureShopadminPasskeys = {
    toBytes: toBytes,
    toBase64url: toBase64url,
    creationOptions: creationOptions,
    requestOptions: requestOptions,
    credentialJSON: credentialJSON
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bind);
  } else {
    bind();
  }
}());
