/*
 * The shop page's chat widget: talks to Rasa's socket.io channel (credentials.yml).
 *
 * Why it is built this way:
 * - Bot text is never parsed as HTML: it is added as text nodes, and only http, https
 *   and mailto links become <a> elements, so a policy quote cannot inject markup.
 * - Rasa keeps the conversation under the session_id we send (session_persistence), but
 *   re-sends nothing after a reload, so the visible transcript is kept here too.
 * - A message typed while connecting, or while the bot is unreachable, is shown at once
 *   and sent when the session is (re)confirmed.
 * - A policy quote arrives as data, {quote, section} (the socketio variation of
 *   utter_policy_quote in domain.yml), and is shown as a quote captioned with its section;
 *   "the policy doesn't say that" (utter_policy_does_not_say) adds a lead before the
 *   quote and a note with the contacts after it.
 * - A quote comes with 👍 / 👎 buttons (payloads /feedback_up and /feedback_down). They are
 *   shown as a group labelled "Was this answer helpful?", the emoji hidden from screen
 *   readers so each button is named by its word; the one clicked stays pressed, also
 *   after a reload.
 * - When the assistant asks for the code it emailed (utter_request_awaiting_code's
 *   socketio variation carries code_field), a code field is shown under its message:
 *   autocomplete="one-time-code" lets phones offer the code from the email, and the code
 *   is sent but shown (and kept in the transcript) masked.
 * - While a person from the support team is in the chat (docs/handoff.md), their
 *   replies arrive as bot_uttered with from: "Jessops support" and are shown under that
 *   name, set apart from the assistant's; after one, the customer's messages get no
 *   typing indicator, since a person may take a while.
 */
(() => {
  "use strict";

  const STORE = {
    session: "jessops-chat:session",
    transcript: "jessops-chat:transcript",
    open: "jessops-chat:open",
  };
  const MAX_TRANSCRIPT = 200;
  const TYPING_TIMEOUT_MS = 20000;
  const LINK = /\bhttps?:\/\/[^\s<>"]+|\b[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}/g;
  const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);
  const UNREACHABLE =
    "Sorry, the privacy assistant can't be reached right now. Please try again in a " +
    "moment, or email cs@jessops.com.";
  const SUGGESTIONS = [
    { title: "What can you help with?", payload: "/help" },
    { title: "Do you sell my data?", payload: "Do you sell my data?" },
    { title: "How do I stop marketing emails?", payload: "How do I stop marketing emails?" },
  ];

  const $ = (id) => document.getElementById(id);
  const ui = {
    toggle: $("chat-toggle"),
    panel: $("chat-panel"),
    close: $("chat-close"),
    log: $("chat-log"),
    suggestions: $("chat-suggestions"),
    typing: $("chat-typing"),
    unreachable: $("chat-unreachable"),
    form: $("chat-form"),
    input: $("chat-input"),
  };

  let socket = null;
  let sessionId = null;
  let typingTimer = null;
  let withPerson = false; // a person from the support team answered last
  const unsent = []; // typed before the session was confirmed, or while unreachable
  const transcript = loadTranscript();

  function loadTranscript() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE.transcript));
      return Array.isArray(saved) ? saved : [];
    } catch {
      return [];
    }
  }

  function save() {
    transcript.splice(0, transcript.length - MAX_TRANSCRIPT);
    localStorage.setItem(STORE.transcript, JSON.stringify(transcript));
  }

  // --- rendering: text nodes and vetted links only -----------------------------------

  function safeHref(url) {
    try {
      const parsed = new URL(url);
      return SAFE_SCHEMES.has(parsed.protocol) ? parsed.href : null;
    } catch {
      return null;
    }
  }

  function link(text, href) {
    const a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    if (!href.startsWith("mailto:")) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return a;
  }

  /** The text, target and length in the source of one LINK match. */
  function linkPart(found) {
    const [match] = found;
    if (!match.includes("://")) {
      return { text: match, href: safeHref(`mailto:${match}`), length: match.length };
    }
    const url = match.replace(/[.,;:!?)]+$/, ""); // sentence punctuation after a URL
    return { text: url, href: safeHref(url), length: url.length };
  }

  function appendRichText(parent, text) {
    let last = 0;
    for (const found of text.matchAll(LINK)) {
      const part = linkPart(found);
      parent.append(text.slice(last, found.index), part.href ? link(part.text, part.href) : part.text);
      last = found.index + part.length;
    }
    parent.append(text.slice(last));
  }

  function buttonGroup(buttons) {
    const group = document.createElement("div");
    group.className = "chat-buttons";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Suggested replies");
    fillButtons(group, buttons);
    return group;
  }

  function fillButtons(group, buttons) {
    for (const { title, payload } of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = title;
      button.addEventListener("click", () => send(payload, title));
      group.append(button);
    }
  }

  const FEEDBACK_PAYLOAD = /^\/feedback_(up|down)\b/;
  let feedbackGroups = 0;

  /** 👍 / 👎 under a quote: a labelled group, each button named by its word. */
  function feedbackGroup(entry, buttons) {
    const id = `chat-feedback-${++feedbackGroups}`;
    const group = document.createElement("div");
    group.className = "chat-feedback";
    group.setAttribute("role", "group");
    group.setAttribute("aria-labelledby", id);
    const prompt = document.createElement("span");
    prompt.id = id;
    prompt.textContent = "Was this answer helpful?";
    group.append(prompt);
    for (const { title, payload } of buttons) {
      const [icon, ...words] = title.split(" ");
      const button = document.createElement("button");
      button.type = "button";
      const emoji = document.createElement("span");
      emoji.setAttribute("aria-hidden", "true");
      emoji.textContent = icon;
      button.append(emoji, ` ${words.join(" ")}`);
      button.setAttribute("aria-pressed", String(entry.rated === payload));
      button.addEventListener("click", () => {
        if (entry.rated) return; // one rating an answer
        entry.rated = payload;
        save();
        group.querySelectorAll("button").forEach((b) => {
          b.setAttribute("aria-pressed", String(b === button));
        });
        send(payload, title);
      });
      group.append(button);
    }
    return group;
  }

  let codeForms = 0;

  /** A labelled field for the emailed code; the code goes out, a mask stays on screen. */
  function codeForm() {
    const id = `chat-code-${++codeForms}`;
    const form = document.createElement("form");
    form.className = "chat-code";
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = "The 6-digit code from the email";
    const input = document.createElement("input");
    Object.assign(input, { id, type: "text", inputMode: "numeric", maxLength: 7 });
    input.autocomplete = "one-time-code";
    input.pattern = "[0-9]{3} ?[0-9]{3}";
    const button = document.createElement("button");
    button.type = "submit";
    button.textContent = "Confirm code";
    form.append(label, input, button);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const code = input.value.replace(/\D/g, "");
      if (code.length !== 6) {
        input.focus();
        return;
      }
      send(code, "••••••");
      input.value = "";
    });
    return form;
  }

  function paragraph(text) {
    const p = document.createElement("p");
    appendRichText(p, text);
    return p;
  }

  function render(entry) {
    const item = document.createElement("div");
    item.className = `msg ${entry.role}`;
    if (entry.role === "user") {
      item.append(entry.text);
    } else if (entry.from) {
      item.classList.add("staff");
      const name = document.createElement("span");
      name.className = "msg-from";
      name.textContent = entry.from;
      item.append(name);
      appendRichText(item, entry.text);
    } else if (entry.section) {
      if (entry.lead) item.append(paragraph(entry.lead));
      const figure = document.createElement("figure");
      const caption = document.createElement("figcaption");
      caption.textContent = `Privacy policy · ${entry.section}`;
      const quote = document.createElement("blockquote");
      appendRichText(quote, entry.text);
      figure.append(caption, quote);
      item.append(figure);
      if (entry.note) item.append(paragraph(entry.note));
    } else {
      appendRichText(item, entry.text);
    }
    const buttons = entry.buttons || [];
    const feedback = buttons.filter((b) => FEEDBACK_PAYLOAD.test(b.payload));
    const others = buttons.filter((b) => !FEEDBACK_PAYLOAD.test(b.payload));
    if (feedback.length) item.append(feedbackGroup(entry, feedback));
    if (others.length) item.append(buttonGroup(others));
    if (entry.codeField) item.append(codeForm());
    ui.log.append(item);
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function add(entry) {
    transcript.push(entry);
    save();
    render(entry);
  }

  // --- bot messages ------------------------------------------------------------------

  /** A transcript entry for a bot_uttered payload, or null when it has nothing to show. */
  function botEntry(message) {
    const buttons = (message.quick_replies || message.buttons || []).map((b) => ({
      title: String(b.title),
      payload: String(b.payload),
    }));
    if (typeof message.quote === "string" && message.quote) {
      return {
        role: "bot",
        text: message.quote,
        section: String(message.section || ""),
        lead: String(message.lead || ""),
        note: String(message.note || ""),
        buttons,
      };
    }
    const text = typeof message.text === "string" ? message.text.trim() : "";
    if (typeof message.from === "string" && message.from && text) {
      return { role: "bot", text, from: message.from, buttons: [] };
    }
    const codeField = message.code_field === true;
    return text || buttons.length ? { role: "bot", text, buttons, codeField } : null;
  }

  // --- status: typing and reachability -----------------------------------------------

  function setTyping(on) {
    clearTimeout(typingTimer);
    ui.typing.hidden = !on;
    if (on) typingTimer = setTimeout(() => setTyping(false), TYPING_TIMEOUT_MS);
  }

  function setReachable(reachable) {
    ui.unreachable.hidden = reachable;
    ui.unreachable.textContent = reachable ? "" : UNREACHABLE;
    if (!reachable) {
      sessionId = null;
      setTyping(false);
    }
  }

  // --- the socket ----------------------------------------------------------------------

  function connect() {
    if (socket) return;
    socket = io(window.JESSOPS_CHAT.socketUrl, { reconnectionDelayMax: 10000 });
    socket.on("connect", () => {
      socket.emit("session_request", { session_id: localStorage.getItem(STORE.session) });
    });
    socket.on("session_confirm", (id) => {
      sessionId = id;
      localStorage.setItem(STORE.session, id);
      setReachable(true);
      flush();
    });
    socket.on("bot_uttered", (message) => {
      setTyping(false);
      const entry = botEntry(message || {});
      if (!entry) return;
      withPerson = Boolean(entry.from);
      add(entry);
    });
    socket.on("connect_error", () => setReachable(false));
    socket.on("disconnect", () => setReachable(false));
  }

  /** Show the visitor's message at once; it goes out as soon as there is a session. */
  function send(message, shownAs) {
    add({ role: "user", text: shownAs || message });
    unsent.push(message);
    flush();
  }

  function flush() {
    if (!sessionId || !unsent.length) return;
    for (const message of unsent.splice(0)) {
      socket.emit("user_uttered", { message, session_id: sessionId });
    }
    setTyping(!withPerson);
  }

  // --- opening, closing, typing ----------------------------------------------------------

  /** Show or hide the panel; focus follows only when the visitor asked for the change. */
  function setOpen(open, moveFocus = true) {
    ui.panel.hidden = !open;
    ui.toggle.setAttribute("aria-expanded", String(open));
    ui.toggle.hidden = open;
    sessionStorage.setItem(STORE.open, open ? "1" : "");
    if (open) {
      connect();
      ui.log.scrollTop = ui.log.scrollHeight;
    }
    if (moveFocus) (open ? ui.input : ui.toggle).focus();
  }

  ui.toggle.addEventListener("click", () => setOpen(true));
  ui.close.addEventListener("click", () => setOpen(false));
  ui.panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setOpen(false);
  });
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.input.value.trim();
    if (!text) return;
    send(text);
    ui.input.value = "";
  });

  fillButtons(ui.suggestions, SUGGESTIONS);
  transcript.forEach(render);
  if (sessionStorage.getItem(STORE.open)) setOpen(true, false);
})();
