// The monitor's dashboard: polls GET metrics, health and audit/events every POLL_MS and hands them
// to DashboardView (dashboard-view.js). The operator's key comes from the page's fragment
// (#key=...) or the form, is kept in this tab's sessionStorage only, and goes in X-Api-Key.
"use strict";

(() => {
  const POLL_MS = 5000;
  const RECENT_WINDOW_MS = 15 * 60 * 1000;
  const PAGE_SIZE = 500;
  const MAX_PAGES = 4;
  const RECENT_ROWS = 40;
  const KEY_STORE = "emrcp.operatorKey";

  const state = { key: null, asOf: null, refreshes: 0, timer: null, job: null };
  const view = window.DashboardView;
  const $ = (id) => document.getElementById(id);

  class Unauthorized extends Error {}

  // ---- the key, as_of and the loop -------------------------------------------------------------

  function readFragment() {
    const params = new URLSearchParams(window.location.hash.slice(1));
    if (params.get("key")) sessionStorage.setItem(KEY_STORE, params.get("key"));
    if (params.get("as_of")) state.asOf = params.get("as_of");
    if (window.location.hash) {
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    state.key = sessionStorage.getItem(KEY_STORE);
    $("as-of-input").value = state.asOf || "";
  }

  function askForKey(message) {
    $("key-form").hidden = false;
    setStatus(message || "enter an operator API key to connect", true);
  }

  function setStatus(text, problem) {
    $("status").textContent = text;
    document.body.dataset.state = problem ? "error" : "live";
  }

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(loop, POLL_MS);
  }

  async function loop() {
    await refresh();
    schedule();
  }

  async function getJson(path, params) {
    const query = new URLSearchParams(params || {});
    if (state.asOf) query.set("as_of", state.asOf);
    const url = query.toString() ? `${path}?${query}` : path;
    const answer = await fetch(url, {
      headers: { "X-Api-Key": state.key, Accept: "application/json" },
      cache: "no-store",
    });
    const body = await answer.json().catch(() => null);
    const message = body && body.error ? body.error.message : `HTTP ${answer.status}`;
    if (answer.status === 401) throw new Unauthorized(message);
    if (!answer.ok) throw new Error(`${path}: ${message}`);
    return body;
  }

  async function refresh() {
    if (!state.key) {
      askForKey();
      return;
    }
    try {
      const [metrics, health] = await Promise.all([getJson("metrics"), getJson("health")]);
      const events = await recentJobEvents(metrics.at);
      view.render(metrics, health, events, openJob);
      if (state.job) await showJob(state.job);
      state.refreshes += 1;
      document.body.dataset.refreshes = String(state.refreshes);
      const mode = state.asOf ? `as of ${view.clock(metrics.at)}` : `live · updated ${view.clock(metrics.at)}`;
      setStatus(`${mode} UTC · every ${POLL_MS / 1000} s`);
    } catch (error) {
      if (error instanceof Unauthorized) {
        sessionStorage.removeItem(KEY_STORE);
        state.key = null;
        askForKey(error.message);
      } else {
        setStatus(`could not refresh: ${error.message}`, true);
      }
    }
  }

  async function recentJobEvents(at) {
    const from = new Date(Date.parse(at) - RECENT_WINDOW_MS).toISOString();
    let events = [];
    let token = null;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const params = { from, limit: String(PAGE_SIZE) };
      if (token) params.next_token = token;
      const body = await getJson("audit/events", params);
      events = events.concat(body.events);
      token = body.next_token;
      if (!token) break;
    }
    return events.filter((event) => event.job_id).slice(-RECENT_ROWS).reverse();
  }

  function openJob(jobId) {
    state.job = jobId;
    showJob(jobId);
  }

  async function showJob(jobId) {
    try {
      const body = await getJson(`audit/jobs/${encodeURIComponent(jobId)}`);
      view.renderJob(jobId, body.events);
    } catch (error) {
      view.renderJobError(jobId, error.message);
    }
  }

  // ---- start --------------------------------------------------------------------------------------

  function start() {
    readFragment();
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY_STORE, $("key-input").value);
      state.key = $("key-input").value;
      $("key-input").value = "";
      $("key-form").hidden = true;
      loop();
    });
    $("as-of-form").addEventListener("submit", (event) => {
      event.preventDefault();
      state.asOf = $("as-of-input").value.trim() || null;
      loop();
    });
    loop();
  }

  start();
})();
