// Chat: conversations, history, and a new message streamed over SSE from the POST itself
// (fetch + ReadableStream). The message list is an ARIA log: it is marked busy while an answer
// streams, so screen readers read the finished answer once instead of every token.

import { get, post, stream } from "./api.js";
import { $, announce, clear, errorText, h, template, when } from "./dom.js";
import { Turn } from "./turn.js";

const WATCH_MS = 2000;

export async function render(main, route) {
  main.append(template("tpl-chat"));
  const list = $("#conv-list", main);
  const messages = $("#messages", main);
  const form = $("#composer", main);
  const prompt = $("#prompt", main);
  const send = $("#send", main);
  let conversationId = route.id;
  let controller = null;
  let watcher = null;
  let shown = 0;

  async function loadConversations() {
    try {
      const page = await get("/v1/conversations?limit=50");
      clear(list);
      for (const c of page.items) {
        const current = c.id === conversationId;
        list.append(h("li", {}, h("a", { href: `#/chat/${c.id}`, "aria-current": current ? "page" : null }, c.title || "Untitled", h("span", { class: "muted small" }, when(c.updated_at)))));
      }
      if (!page.items.length) list.append(h("li", { class: "muted" }, "No conversations yet."));
    } catch (err) {
      clear(list, h("li", { class: "error" }, `Conversations: ${errorText(err)}`));
    }
  }

  async function loadHistory() {
    clear(messages);
    if (!conversationId) {
      messages.append(h("li", { class: "muted empty" }, "Start a conversation: ask about logs, reports, evaluations or deployments."));
      return;
    }
    try {
      const page = await get(`/v1/conversations/${conversationId}/messages?limit=200`);
      shown = page.items.length;
      const turns = [];
      const runs = new Set();
      for (const m of page.items) {
        if (m.role === "user") messages.append(userMessage(m.content));
        else {
          const turn = new Turn(m.agent);
          turn.setAnswer(m.content, m.metadata || {});
          messages.append(turn.el);
          // an operation's outcome is a later message of the proposing run: the activity stays with the proposal
          if (m.run_id && !runs.has(m.run_id)) turns.push([m.run_id, turn]);
          if (m.run_id) runs.add(m.run_id);
        }
      }
      // the activity and sources of the latest answers, from their stored events
      await Promise.all(
        turns.slice(-20).map(async ([runId, turn]) => {
          try {
            const events = await get(`/v1/runs/${runId}/events?limit=200`);
            for (const e of events.items) if (e.type !== "message") turn.handle(e, { live: false });
          } catch {
            /* the answer itself is shown already */
          }
        }),
      );
      messages.lastElementChild?.scrollIntoView({ block: "end" });
    } catch (err) {
      messages.append(h("li", { class: "error" }, `Could not load the conversation: ${errorText(err)}`));
    }
    watch();
  }

  // A proposal waits for operators; their outcome arrives later as a message: poll until it does.
  function watch() {
    clearTimeout(watcher);
    if (messages.lastElementChild?.dataset.state !== "waiting_approval") return;
    watcher = setTimeout(async () => {
      if (controller) return watch();
      try {
        const page = await get(`/v1/conversations/${conversationId}/messages?limit=200`);
        if (page.items.length > shown) {
          await loadHistory();
          announce(`New message from ${page.items.at(-1).agent || "the assistant"}`);
          return;
        }
      } catch {
        /* try again */
      }
      watch();
    }, WATCH_MS);
  }

  function userMessage(text) {
    return h("li", { class: "turn user" }, h("div", { class: "meta" }, h("span", { class: "agent" }, "You")), h("p", { class: "user-text" }, text));
  }

  async function ensureConversation(text) {
    if (conversationId) return conversationId;
    const conv = await post("/v1/conversations", { title: text.slice(0, 60) });
    conversationId = conv.id;
    history.replaceState(null, "", `#/chat/${conv.id}`); // no hashchange: the page stays as it is
    clear(messages);
    return conv.id;
  }

  async function submit() {
    const text = prompt.value.trim();
    if (!text || controller) return;
    const agent = $("#agent", main).value || undefined;
    controller = new AbortController();
    send.disabled = true;
    send.textContent = "Answering…";
    try {
      const id = await ensureConversation(text);
      messages.querySelector(".empty")?.remove();
      messages.append(userMessage(text));
      prompt.value = "";
      const turn = new Turn(null, { open: true });
      messages.append(turn.el);
      messages.setAttribute("aria-busy", "true");
      announce("Sent. The assistant is answering.");
      const events = await stream("POST", `/v1/conversations/${id}/messages`, { content: text, agent }, controller.signal);
      for await (const event of events) {
        turn.handle(event);
        turn.el.scrollIntoView({ block: "end" });
      }
      announce(`Answer from ${turn.agentEl.textContent}: ${turn.answer.textContent.slice(0, 300)}`);
      shown += 2;
      watch();
      loadConversations();
    } catch (err) {
      if (err.name !== "AbortError") {
        messages.append(h("li", { class: "error", role: "alert" }, `Could not send: ${errorText(err)}`));
      }
    } finally {
      messages.setAttribute("aria-busy", "false");
      controller = null;
      send.disabled = false;
      send.textContent = "Send";
      prompt.focus();
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit();
  });
  prompt.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  $("#new-conv", main).addEventListener("click", () => {
    if (location.hash === "#/chat") {
      conversationId = null;
      loadHistory();
      loadConversations();
    } else location.hash = "#/chat";
    prompt.focus();
  });

  await Promise.all([loadConversations(), loadHistory()]);
  prompt.focus();
  return () => {
    controller?.abort();
    clearTimeout(watcher);
  };
}
