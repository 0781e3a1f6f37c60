// Draws the dashboard from the monitor's answers: tiles, tables and charts (Chart.js). Everything
// received is written with textContent, never as HTML. dashboard.js fetches and calls `render`.
"use strict";

window.DashboardView = (() => {
  const PRIORITIES = ["critical", "high", "normal", "low"];
  const COLORS = ["#2563eb", "#db2777", "#059669", "#d97706", "#7c3aed", "#0891b2", "#65a30d"];
  const PRIORITY_COLORS = { critical: "#b91c1c", high: "#ea580c", normal: "#2563eb", low: "#64748b" };
  const charts = {};
  const $ = (id) => document.getElementById(id);

  // ---- formatting ---------------------------------------------------------------------------

  function clock(iso) {
    return iso ? new Date(Date.parse(iso)).toISOString().slice(11, 19) : "–";
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    const whole = Math.round(seconds);
    const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
    if (h) return m ? `${h}h ${m}m` : `${h}h`;
    if (m) return s ? `${m}m ${s}s` : `${m}m`;
    return `${s}s`;
  }

  function dollars(value) {
    return `$${(value || 0).toFixed(2)}`;
  }

  function sum(rows, pick) {
    return rows.reduce((total, row) => total + (pick ? pick(row) : row.value), 0);
  }

  function rowsWhere(rows, labels) {
    return rows.filter((row) => Object.entries(labels).every(([name, value]) => row[name] === value));
  }

  // ---- tables -----------------------------------------------------------------------------------

  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function tableRow(cells, data) {
    const tr = document.createElement("tr");
    tr.append(...cells);
    Object.entries(data || {}).forEach(([name, value]) => { tr.dataset[name] = value; });
    return tr;
  }

  function fill(id, rows, columns) {
    const body = $(id).tBodies[0];
    if (!rows.length) {
      const empty = cell("nothing yet", "empty");
      empty.colSpan = columns;
      body.replaceChildren(tableRow([empty]));
      return;
    }
    body.replaceChildren(...rows);
  }

  function profilesOf(metrics) {
    const names = new Set();
    ["queue_depth", "clusters", "pool_minimum", "cost_dollars"].forEach((section) => {
      metrics[section].forEach((row) => names.add(row.profile));
    });
    return [...names].sort();
  }

  function renderTiles(metrics, health) {
    const serving = metrics.clusters.filter((row) => row.state === "idle" || row.state === "busy");
    $("queue-total").textContent = String(sum(metrics.queue_depth));
    $("slots-busy").textContent = String(sum(rowsWhere(metrics.slots, { state: "busy" })));
    $("clusters-serving").textContent = String(sum(serving));
    $("cost-total").textContent = dollars(sum(metrics.cost_dollars));
    $("breaches-total").textContent = String(sum(metrics.sla_breaches));
    $("orphans-total").textContent = String(sum(metrics.orphan_stacks_found || []));
    $("dead-letters-total").textContent = String(sum(metrics.dead_letter_messages || []));
    const healthy = health.services.filter((service) => service.state === "healthy").length;
    $("services-healthy").textContent = `${healthy} / ${health.services.length}`;
  }

  function renderQueues(metrics, profiles) {
    const rows = profiles.map((profile) => {
      const counts = PRIORITIES.map((p) => sum(rowsWhere(metrics.queue_depth, { profile, priority: p })));
      const total = counts.reduce((a, b) => a + b, 0);
      return tableRow([cell(profile), ...counts.map((n) => cell(String(n), "num")), cell(String(total), "num")],
        { profile });
    });
    fill("queues", rows, 6);
  }

  function renderPools(metrics, profiles) {
    const value = (section, profile) => {
      const found = rowsWhere(metrics[section], { profile });
      return found.length ? found[0].value : null;
    };
    const rows = profiles.map((profile) => {
      const byState = (s) => String(sum(rowsWhere(metrics.clusters, { profile, state: s })));
      const busy = sum(rowsWhere(metrics.slots, { profile, state: "busy" }));
      const all = sum(rowsWhere(metrics.slots, { profile }));
      const limit = (section) => { const v = value(section, profile); return v === null ? "–" : String(v); };
      const ttl = value("pool_idle_ttl_seconds", profile);
      const scheduled = value("pool_scheduled", profile) === 1;
      const now = limit("pool_effective_minimum");
      const orphans = sum(rowsWhere(metrics.orphan_stacks_found || [], { profile }));
      return tableRow([
        cell(profile), cell(limit("pool_minimum"), "num"), cell(limit("pool_maximum"), "num"),
        cell(ttl === null ? "–" : duration(ttl), "num"), cell(byState("requested"), "num"),
        cell(byState("idle"), "num"), cell(byState("busy"), "num"), cell(byState("decommissioning"), "num"),
        cell(byState("failed"), "num"), cell(byState("terminated"), "num"), cell(`${busy} / ${all}`, "num"),
        cell(scheduled ? `${now} (schedule)` : now, "num"), cell(String(orphans), orphans ? "num over-target" : "num"),
      ], { profile });
    });
    fill("pools", rows, 13);
  }

  function renderWaits(metrics) {
    const rows = PRIORITIES.map((priority) => {
      const target = rowsWhere(metrics.sla_target_seconds, { priority })[0];
      const waits = rowsWhere(metrics.priority_wait_seconds, { priority })[0] || {};
      const oldest = rowsWhere(metrics.oldest_wait_seconds, { priority })[0];
      const limit = target ? target.value : Infinity;
      const judged = (seconds) => cell(duration(seconds), seconds > limit ? "num over-target" : "num");
      return tableRow([
        cell(priority), cell(target ? duration(target.value) : "–", "num"), judged(waits.p50),
        judged(waits.p95), judged(waits.p99), judged(oldest ? oldest.value : null),
        cell(String(sum(rowsWhere(metrics.sla_breaches, { priority }))), "num"),
      ], { priority });
    });
    fill("waits", rows, 7);
  }

  function renderTenants(metrics) {
    const keyed = new Map();
    metrics.tenant_cost_dollars.forEach((row) => {
      const key = `${row.tenant}\u0000${row.profile}`;
      const entry = keyed.get(key) || { tenant: row.tenant, profile: row.profile, direct: 0, shared: 0 };
      entry[row.kind] += row.value;
      keyed.set(key, entry);
    });
    const rows = [...keyed.values()].map((e) => tableRow([
      cell(e.tenant), cell(e.profile), cell(dollars(e.direct), "num"), cell(dollars(e.shared), "num"),
      cell(dollars(e.direct + e.shared), "num"),
    ], { tenant: e.tenant }));
    fill("tenants", rows, 5);
  }

  function renderServices(health) {
    const rows = health.services.map((service) => tableRow([
      cell(service.service), cell(service.state, `state-${service.state}`), cell(clock(service.last_heartbeat_at)),
      cell(duration(service.heartbeat_age_seconds), "num"), cell(String(service.instances.length), "num"),
    ], { service: service.service, state: service.state }));
    fill("services", rows, 5);
  }

  function renderDeadLetters(health) {
    const rows = (health.dead_letter_queues || []).map((q) => tableRow([
      cell(q.queue), cell(q.dead_letter_queue), cell(String(q.depth), q.depth > 0 ? "num state-unhealthy" : "num"),
    ], { queue: q.queue }));
    fill("dead-letters", rows, 3);
  }

  function jobButton(jobId, openJob) {
    const td = document.createElement("td");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.textContent = jobId.slice(0, 8);
    button.title = jobId;
    button.addEventListener("click", () => openJob(jobId));
    td.append(button);
    return td;
  }

  function renderTimeline(events, openJob) {
    const rows = events.map((event) => tableRow([
      cell(clock(event.occurred_at)), cell(event.detail_type), jobButton(event.job_id, openJob),
      cell(event.tenant_id || "–"), cell(event.cluster_id || "–"),
    ], { job: event.job_id, type: event.detail_type }));
    fill("timeline", rows, 5);
  }

  function renderJob(jobId, events) {
    $("job-title").textContent = `Job ${jobId}`;
    fill("job-events", events.map((event) => tableRow([
      cell(clock(event.occurred_at)), cell(event.detail_type), cell(event.source), cell(event.cluster_id || "–"),
    ])), 4);
    $("job-panel").hidden = false;
  }

  function renderJobError(jobId, message) {
    $("job-title").textContent = `Job ${jobId}: ${message}`;
    $("job-events").tBodies[0].replaceChildren();
    $("job-panel").hidden = false;
  }

  // ---- charts -----------------------------------------------------------------------------------

  function chart(id, type, options) {
    if (typeof Chart === "undefined") return null;
    if (!charts[id]) {
      charts[id] = new Chart($(id), {
        type,
        data: { labels: [], datasets: [] },
        options: Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, options),
      });
    }
    return charts[id];
  }

  function draw(id, type, labels, datasets, options) {
    const target = chart(id, type, options);
    if (!target) return;
    target.data.labels = labels;
    target.data.datasets = datasets;
    target.update("none");
  }

  const STACKED = { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } };

  function renderCharts(metrics, profiles) {
    draw("queue-chart", "bar", profiles, PRIORITIES.map((priority) => ({
      label: priority,
      backgroundColor: PRIORITY_COLORS[priority],
      data: profiles.map((profile) => sum(rowsWhere(metrics.queue_depth, { profile, priority }))),
    })), STACKED);

    const share = (seconds, priority) => {
      const target = rowsWhere(metrics.sla_target_seconds, { priority })[0];
      return target && seconds !== undefined && seconds !== null ? Math.round((100 * seconds) / target.value) : null;
    };
    draw("wait-chart", "bar", PRIORITIES, [
      { label: "p95 wait, % of target", backgroundColor: "#2563eb",
        data: PRIORITIES.map((p) => share((rowsWhere(metrics.priority_wait_seconds, { priority: p })[0] || {}).p95, p)) },
      { label: "oldest waiting, % of target", backgroundColor: "#d97706",
        data: PRIORITIES.map((p) => share((rowsWhere(metrics.oldest_wait_seconds, { priority: p })[0] || {}).value, p)) },
      { label: "target", type: "line", borderColor: "#b91c1c", pointRadius: 0, data: PRIORITIES.map(() => 100) },
    ], { scales: { y: { beginAtZero: true, title: { display: true, text: "% of SLA target" } } } });

    const hours = [...new Set(metrics.hourly.map((row) => row.hour))].sort();
    const labels = hours.map((hour) => `${hour.slice(11, 16)}`);
    const series = (field, scale) => profiles.map((profile, index) => ({
      label: profile,
      borderColor: COLORS[index % COLORS.length],
      backgroundColor: COLORS[index % COLORS.length],
      data: hours.map((hour) => {
        const row = rowsWhere(metrics.hourly, { profile, hour })[0];
        return row && row[field] !== null ? row[field] * scale : null;
      }),
    }));
    draw("utilization-chart", "line", labels, series("utilization", 100),
      { spanGaps: true, scales: { y: { min: 0, max: 100, title: { display: true, text: "% of slot time" } } } });
    draw("cost-chart", "bar", labels, series("cost_dollars", 1), STACKED);
  }

  function render(metrics, health, events, openJob) {
    const profiles = profilesOf(metrics);
    renderTiles(metrics, health);
    renderQueues(metrics, profiles);
    renderPools(metrics, profiles);
    renderWaits(metrics);
    renderTenants(metrics);
    renderServices(health);
    renderDeadLetters(health);
    renderTimeline(events, openJob);
    renderCharts(metrics, profiles);
  }

  return { render, renderJob, renderJobError, clock };
})();
