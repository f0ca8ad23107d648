// The review desk opened as a Telegram Mini App: post Telegram's sign-in data (initData) to the desk.
// Telegram opens the page with it in the URL's fragment (#tgWebAppData=...), which no server or log sees.
// Telegram's own script is loaded only then, inside Telegram, to say the page is ready; the sign-in does
// not wait for it longer than a moment. Outside Telegram the page only says how to sign in instead.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("telegram-sign-in");
  const fromFragment = new URLSearchParams(window.location.hash.slice(1)).get("tgWebAppData");
  if (!form || !fromFragment) {
    return;
  }
  document.getElementById("telegram-outside").hidden = true;
  document.getElementById("telegram-wait").hidden = false;
  let sent = false;
  const send = () => {
    if (sent) {
      return;
    }
    sent = true;
    const app = window.Telegram && window.Telegram.WebApp;
    if (app) {
      app.ready();
      app.expand();
    }
    form.elements.init_data.value = (app && app.initData) || fromFragment;
    form.submit();
  };
  const script = document.createElement("script");
  script.src = "https://telegram.org/js/telegram-web-app.js";
  script.addEventListener("load", send);
  script.addEventListener("error", send);
  document.head.append(script);
  window.setTimeout(send, 3000);
});
