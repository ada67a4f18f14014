// vigie dashboard: live alerts. The inbox works without this script;
// with it, alerts created or updated while the page is open are added to
// the top of the table as the hub streams them (Server-Sent Events from
// /alerts/live, the session cookie authenticating it). Every value is
// inserted as text, never as HTML.
"use strict";
(function () {
  var table = document.getElementById("alerts");
  if (!table || !table.dataset.live || !window.EventSource) { return; }
  var body = table.tBodies[0];
  var status = document.getElementById("live-status");
  var csrf = table.dataset.csrf;
  var fresh = 0;

  function cell(tr, child) { var td = document.createElement("td"); if (child) { td.appendChild(child); } tr.appendChild(td); return td; }
  function text(s) { return document.createTextNode(s == null ? "" : String(s)); }
  function stateForm(a, state, label) {
    var f = document.createElement("form");
    f.method = "post"; f.action = "/alerts/" + encodeURIComponent(a.id) + "/state"; f.className = "inline";
    [["csrf", csrf], ["from", "inbox"], ["state", state]].forEach(function (kv) {
      var i = document.createElement("input"); i.type = "hidden"; i.name = kv[0]; i.value = kv[1]; f.appendChild(i);
    });
    var b = document.createElement("button"); b.type = "submit"; b.textContent = label;
    b.setAttribute("aria-label", label + ": " + a.title); f.appendChild(b);
    return f;
  }
  function row(a) {
    var tr = document.createElement("tr");
    tr.dataset.id = a.id; tr.className = "fresh";
    var sev = document.createElement("span"); sev.className = "sev sev-" + a.severity; sev.textContent = a.severity;
    cell(tr, sev);
    var link = document.createElement("a"); link.href = "/alerts/" + encodeURIComponent(a.id); link.textContent = a.title;
    var td = cell(tr, link);
    if (a.count > 1) { var c = document.createElement("span"); c.className = "count"; c.textContent = " ×" + a.count; td.appendChild(c); }
    cell(tr, text(a.trigger));
    cell(tr, text(a.state)).className = "state";
    var t = document.createElement("time"); t.dateTime = a.updated; t.textContent = (a.updated || "").replace("T", " ").slice(0, 16) + " UTC";
    cell(tr, t);
    var triage = cell(tr); triage.className = "triage";
    if (a.state === "new") { triage.appendChild(stateForm(a, "acknowledged", "Acknowledge")); triage.appendChild(text(" ")); }
    if (a.state !== "resolved") { triage.appendChild(stateForm(a, "resolved", "Resolve")); }
    return tr;
  }
  function show(ev) {
    var a;
    try { a = JSON.parse(ev.data); } catch (e) { return; }
    var old = body.querySelector('tr[data-id="' + (window.CSS && CSS.escape ? CSS.escape(a.id) : a.id) + '"]');
    if (old) { old.remove(); }
    var empty = body.querySelector("tr.empty");
    if (empty) { empty.remove(); }
    body.insertBefore(row(a), body.firstChild);
    fresh++;
    status.textContent = fresh + (fresh === 1 ? " alert" : " alerts") + " arrived while this page was open.";
  }
  var es = new EventSource(table.dataset.live);
  es.addEventListener("alert.created", show);
  es.addEventListener("alert.updated", show);
  es.addEventListener("open", function () { table.dataset.connected = "yes"; });
})();
