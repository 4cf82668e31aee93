/*! Advocate in-app NPS survey widget. No dependencies; see Examples/widget-host/README.md. */
(() => {
  "use strict";
  if (window.Advocate && window.Advocate.version) return; // loaded twice: keep the first

  const warn = (m) => {
    try { console.warn("Advocate: " + m); } catch (_) { /* no console */ }
  };

  // Base URL: data-advocate-base on our script tag, else the origin of its src.
  let base = "";
  try {
    const me = document.currentScript;
    if (me) base = me.getAttribute("data-advocate-base") || (me.src ? new URL(me.src, location.href).origin : "");
  } catch (_) { /* keep "" (same origin) */ }
  const trim = (u) => String(u).replace(/\/+$/, "");
  base = trim(base);

  const CATS = ["detractor", "passive", "promoter"];
  const categoryOf = (n) => (n <= 6 ? 0 : n <= 8 ? 1 : 2);

  let identity = null; // {workspace, user, signature, locale}
  let queue = Promise.resolve(); // checks run one after another
  let gen = 0; // bumped by reset(): late answers of older checks are ignored
  let ui = null; // the widget on screen (at most one)
  let sheet = null; // shared constructable stylesheet

  const api = { version: "1", state: "idle", reason: null, init, track, reset };
  const setState = (s) => { api.state = s; };

  async function post(path, body) {
    const r = await fetch(base + path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
    });
    if (r.status === 204) return null;
    let j = null;
    try { j = await r.json(); } catch (_) { /* empty or not JSON */ }
    if (!r.ok) throw new Error((j && (j.detail || j.title)) || "HTTP " + r.status + " from " + path);
    return j;
  }

  function locales() {
    const n = navigator;
    const l = n.languages && n.languages.length ? n.languages : [n.language];
    return l.filter(Boolean).join(",");
  }

  function cleanUser(u) {
    const out = { id: String(u.id) };
    for (const k of ["email", "name"]) if (u[k] != null && u[k] !== "") out[k] = String(u[k]);
    if (u.properties && typeof u.properties === "object") out.properties = u.properties;
    const c = u.created_at;
    if (c instanceof Date) { if (!isNaN(c)) out.created_at = c.toISOString(); }
    else if (c != null && c !== "") out.created_at = String(c);
    return out;
  }

  /** Advocate.init({workspace, user: {id, email, name, properties, created_at}, signature}) */
  function init(o) {
    try {
      o = o || {};
      const u = o.user;
      if (!o.workspace || !u || u.id == null || u.id === "") {
        warn("init() needs a workspace and a user with an id");
        setState("error");
        return Promise.resolve(api.state);
      }
      if (o.base) base = trim(o.base);
      identity = {
        workspace: String(o.workspace),
        user: cleanUser(u),
        signature: o.signature ? String(o.signature) : "",
        locale: o.locale ? [].concat(o.locale).join(",") : "", // optional override of navigator.languages
      };
      return check();
    } catch (e) {
      warn(e && e.message);
      return Promise.resolve(api.state);
    }
  }

  /** Advocate.track("event_name") */
  function track(name) {
    if (!identity) {
      warn("call Advocate.init() before Advocate.track()");
      return Promise.resolve(api.state);
    }
    if (typeof name !== "string" || !name) {
      warn("track() needs an event name");
      return Promise.resolve(api.state);
    }
    return check(name);
  }

  /** Advocate.reset(): removes the widget and forgets the user (call it on logout). */
  function reset() {
    gen++;
    identity = null;
    api.reason = null;
    if (ui) { ui.host.remove(); ui = null; }
    setState("idle");
  }

  function check(event) {
    const g = gen;
    const run = async () => {
      if (g !== gen || !identity || ui) return; // reset since, or a widget is already up
      const id = identity;
      setState("checking");
      api.reason = null;
      try {
        const body = { workspace: id.workspace, user: id.user, locale: id.locale || locales() };
        if (id.signature) body.signature = id.signature;
        if (event) body.event = event;
        const res = await post("/widget/v1/check", body);
        if (g !== gen || ui) return;
        if (res && res.show && res.display && res.survey) {
          if (!document.body) await new Promise((ok) => document.addEventListener("DOMContentLoaded", ok, { once: true }));
          if (g === gen && !ui) render(res.display, res.survey, g);
        } else {
          api.reason = (res && res.reason) || null; // why the server did not ask (debugging aid)
          setState("hidden");
        }
      } catch (e) {
        if (g !== gen) return;
        warn(e && e.message);
        if (ui) { ui.host.remove(); ui = null; }
        setState("error");
      }
    };
    queue = queue.then(run).catch((e) => warn(e && e.message)).then(() => api.state);
    return queue;
  }

  function el(tag, attrs, kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) if (attrs[k] != null) e.setAttribute(k, attrs[k]);
    for (const c of kids || []) e.append(c); // strings become text nodes
    return e;
  }

  function luminance(hex) {
    if (hex.length === 4) hex = "#" + hex[1] + hex[1] + hex[2] + hex[2] + hex[3] + hex[3];
    const c = [1, 3, 5].map((i) => {
      const v = parseInt(hex.slice(i, i + 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function addStyles(root) {
    try {
      if ("adoptedStyleSheets" in root && window.CSSStyleSheet) {
        // Constructable stylesheets are not subject to CSP style-src, unlike a <style> element.
        if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
        root.adoptedStyleSheets = [sheet];
        return;
      }
    } catch (_) { /* fall back below */ }
    root.append(el("style", null, [CSS]));
  }

  function render(display, S, g) {
    const str = S.strings || {};
    const t = (v, d) => (typeof v === "string" && v ? v : d);
    const digits = Array.isArray(S.numerals) && S.numerals.length === 11 ? S.numerals : [];
    const names = Array.isArray(str.score_name) && str.score_name.length === 11 ? str.score_name : [];
    const follow = str.followup || {};
    const thanks = str.thanks || {};
    const limit = Number(str.comment_limit) > 0 ? Number(str.comment_limit) : 5000;
    const brand = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(S.brand_color || "") ? S.brand_color : "#1d2733";
    const dir = S.dir === "rtl" ? "rtl" : "ltr";
    const question = t(str.question, "How likely are you to recommend us to a friend or colleague?");

    const host = el("advocate-widget", { id: "advocate-widget" });
    const root = host.attachShadow({ mode: "open" });
    addStyles(root);

    const card = el("div", {
      class: "card", role: "dialog", "aria-label": t(str.label, "Feedback survey"),
      lang: S.lang || null, dir, "data-advocate": "card",
    });
    const l = luminance(brand);
    card.style.setProperty("--brand", brand);
    card.style.setProperty("--on-brand", (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#111" : "#fff");
    // Focus ring in the brand colour unless it is too pale to see on white (< 3:1).
    card.style.setProperty("--ring", 1.05 / (l + 0.05) >= 3 ? brand : "#202124");

    const content = el("div");
    const x = el("button", { type: "button", class: "x", "aria-label": t(str.close, "Close"), "data-advocate": "close" }, ["\u00d7"]);
    card.append(content, x);
    root.append(card);

    let answered = false; // once a score is in, closing no longer counts as a dismissal
    let closed = false;
    let busy = false;
    let score = -1;
    let cat = 0;
    let prevFocus = document.activeElement; // where focus goes back to when the card closes
    const me = { host };

    const finish = async (dismiss) => {
      if (closed) return;
      closed = true;
      const hadFocus = !!root.activeElement;
      host.remove();
      if (hadFocus && prevFocus && prevFocus !== document.body && prevFocus.isConnected) {
        try { prevFocus.focus({ preventScroll: true }); } catch (_) { /* not focusable */ }
      }
      if (dismiss) {
        try { await post("/widget/v1/dismiss", { display }); } catch (e) { warn(e && e.message); }
      }
      if (g !== gen || ui !== me) return;
      ui = null;
      setState(dismiss ? "dismissed" : "hidden");
    };

    card.addEventListener("focusin", (e) => {
      const r = e.relatedTarget;
      if (r && !root.contains(r)) prevFocus = r;
    });
    x.addEventListener("click", () => finish(!answered));
    card.addEventListener("keydown", (e) => {
      if (e.key === "Escape" || e.key === "Esc") {
        e.stopPropagation();
        finish(!answered);
      }
    });

    // Step 1: the question and the 0–10 scale.
    const qId = "advocate-q";
    const lowId = "advocate-low";
    const highId = "advocate-high";
    const style = S.scale_style === "neutral" ? "n" : null;
    const buttons = [];
    for (let i = 0; i <= 10; i++) {
      buttons.push(el("button", {
        type: "button",
        class: "s " + (style || "dpg"[categoryOf(i)]),
        "aria-label": t(names[i], String(i)),
        "aria-describedby": i === 0 ? lowId : i === 10 ? highId : null,
        "data-advocate": "score",
        "data-score": String(i),
      }, [t(digits[i], String(i))]));
    }
    const scale = el("div", { class: "scale", role: "group", "aria-label": question }, buttons);
    scale.addEventListener("click", (e) => {
      const b = e.target.closest && e.target.closest("button");
      if (b) choose(Number(b.getAttribute("data-score")), b);
    });
    scale.addEventListener("keydown", (e) => {
      const i = buttons.indexOf(e.target);
      if (i < 0) return;
      const step = dir === "rtl" ? -1 : 1;
      const j = { ArrowRight: i + step, ArrowLeft: i - step, Home: 0, End: 10 }[e.key];
      if (j >= 0 && j <= 10) {
        e.preventDefault();
        buttons[j].focus();
      }
    });
    const dismissBtn = el("button", { type: "button", class: "link", "data-advocate": "dismiss" }, [t(str.dismiss, "Not now")]);
    dismissBtn.addEventListener("click", () => finish(true));

    content.append(
      el("p", { class: "q", id: qId }, [question]),
      scale,
      el("div", { class: "anchors" }, [
        el("span", { id: lowId }, [t(str.low, "Not at all likely")]),
        el("span", { id: highId }, [t(str.high, "Extremely likely")]),
      ]),
      el("div", { class: "actions" }, [dismissBtn]),
    );

    async function choose(n, b) {
      if (busy || answered || !(n >= 0 && n <= 10)) return;
      busy = true;
      answered = true;
      b.setAttribute("aria-pressed", "true");
      cat = categoryOf(n);
      try {
        // Sent right away so the score counts even if the comment is never written.
        const r = await post("/widget/v1/answer", { display, score: n });
        const k = r ? CATS.indexOf(r.category) : -1;
        if (k >= 0) cat = k;
      } catch (e) {
        warn(e && e.message); // the comment step sends the score again
      }
      busy = false;
      score = n;
      if (!closed && g === gen) followup();
    }

    // Step 2: the follow-up question and an optional comment.
    function followup() {
      const taId = "advocate-comment";
      const ta = el("textarea", {
        id: taId, rows: "4", maxlength: String(limit), "data-advocate": "comment",
        placeholder: t(str.comment_label, null),
      });
      const err = el("p", { class: "err", role: "alert", "data-advocate": "error" });
      const send = el("button", { type: "button", class: "btn primary", "data-advocate": "send" }, [t(str.send, "Send")]);
      const skip = el("button", { type: "button", class: "btn", "data-advocate": "skip" }, [t(str.skip, "Skip")]);
      const tooLong = () => Array.from(ta.value).length > limit;
      ta.addEventListener("input", () => { if (err.textContent && !tooLong()) err.textContent = ""; });
      skip.addEventListener("click", () => { if (!busy) done(); });
      send.addEventListener("click", async () => {
        if (busy) return;
        if (tooLong()) {
          err.textContent = t(str.comment_too_long, "Your comment is too long.");
          ta.focus();
          return;
        }
        const comment = ta.value;
        if (!comment.trim()) return done();
        busy = true;
        send.disabled = skip.disabled = true;
        try {
          await post("/widget/v1/answer", { display, score, comment });
        } catch (e) {
          warn(e && e.message);
        }
        busy = false;
        if (!closed && g === gen) done();
      });
      content.textContent = "";
      content.append(
        el("label", { for: taId }, [t(follow[CATS[cat]], "What is the main reason for your score?")]),
        ta, err,
        el("div", { class: "actions" }, [skip, send]),
      );
      setState("followup");
      ta.focus();
    }

    // Step 3: thank you.
    function done() {
      const h = el("h2", { tabindex: "-1" }, [t(str.thanks_title, "Thank you!")]);
      content.textContent = "";
      content.append(el("div", { "data-advocate": "thanks" }, [h, el("p", { class: "msg" }, [t(thanks[CATS[cat]], "")])]));
      setState("thanks");
      h.focus();
    }

    ui = me;
    document.body.append(host); // does not take focus: the card is non-modal
    setState("question");
  }

  const CSS = `
:host{all:initial!important;display:block!important}
*,*::before,*::after{box-sizing:border-box}
.card{position:fixed;z-index:2147483000;bottom:1em;right:1em;left:auto;width:calc(100% - 2em);max-width:28em;margin:0;padding:1.25em 1.25em 1em;background:#fff;color:#202124;border:1px solid #dadce0;border-radius:.75em;box-shadow:0 .5em 2em rgba(0,0,0,.2);font:400 max(1rem,16px)/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;text-align:start;animation:advocate-in .2s ease-out}
.card[dir=rtl]{right:auto;left:1em}
@media (max-width:480px){.card,.card[dir=rtl]{left:0;right:0;bottom:0;width:100%;max-width:none;border-width:1px 0 0;border-radius:.75em .75em 0 0}}
@keyframes advocate-in{from{opacity:0;transform:translateY(1em)}}
@media (prefers-reduced-motion:reduce){.card{animation:none}}
p,h2{margin:0}
.q,label,h2{display:block;padding-inline-end:2.25em;font-weight:600;margin-bottom:.75em}
h2{font-size:1.125em;margin-bottom:.375em}
button,textarea{font:inherit;color:inherit;margin:0}
button{cursor:pointer}
button:disabled{cursor:default;opacity:.6}
button:focus-visible,textarea:focus-visible{outline:3px solid var(--ring);outline-offset:2px}
[tabindex="-1"]:focus{outline:none}
.scale{display:flex;gap:.25em}
.s{flex:1 1 0;min-width:0;min-height:2.75em;padding:0;border:1px solid transparent;border-radius:.375em;font-weight:600;font-variant-numeric:tabular-nums}
.d{background:#c92a2a;color:#fff}
.d:hover{background:#a61e1e}
.p{background:#f5c84c;color:#1d2733;border-color:#b08a1e}
.p:hover{background:#e8b730}
.g{background:#2b7a3b;color:#fff}
.g:hover{background:#21602e}
.n{background:#fff;color:#202124;border-color:#5f6368}
.n:hover{background:#f1f3f4;border-color:var(--brand)}
.s:focus-visible{position:relative;z-index:1}
.s[aria-pressed=true]{box-shadow:0 0 0 2px #fff,0 0 0 4px #202124}
@media (max-width:419.98px){.scale{display:grid;grid-template-columns:repeat(6,1fr)}}
.anchors{display:flex;justify-content:space-between;gap:1em;margin-top:.375em;font-size:.8125em;color:#5f6368}
.actions{display:flex;flex-wrap:wrap;justify-content:flex-end;gap:.5em;margin-top:.75em}
.link{min-height:2.75em;padding:.5em .25em;border:0;background:none;color:#3c4043;text-decoration:underline}
.btn{min-height:2.75em;padding:.5em 1.125em;border:1px solid #5f6368;border-radius:.375em;background:#fff;color:#202124;font-weight:600}
.btn:hover{background:#f1f3f4}
.primary,.primary:hover{background:var(--brand);border-color:var(--brand);color:var(--on-brand)}
.x{position:absolute;top:.375em;inset-inline-end:.375em;width:2.25em;height:2.25em;padding:0;border:0;border-radius:50%;background:none;color:#5f6368;font-size:1.25em;line-height:1}
.x:hover{background:#f1f3f4;color:#202124}
textarea{display:block;width:100%;min-height:5.5em;padding:.5em .625em;border:1px solid #5f6368;border-radius:.375em;background:#fff;resize:vertical}
.err{color:#a50e0e;font-size:.875em}
.err:not(:empty){margin-top:.5em}
.msg{color:#3c4043}
@media (forced-colors:active){.s,.btn{border:1px solid ButtonText}}
`;

  window.Advocate = api;
})();
