/*
 * kitstock dashboard: reads the API of the daemon that served it (same
 * origin, session cookie), draws progress bars as SVG, follows scans on
 * /v1/stream when there is one. No external asset; nothing written but
 * the session (signing in and out).
 */
"use strict";

var LABELS = {
	diagnosed: "Diagnostics",
	equipped: "Équipés",
	connected: "Connectés 6 mois",
	oriented: "Orientés en formation",
	certified: "Certifiés"
};
var ALERTS = {
	topup_due: "Rechargement à faire",
	connection_short: "Connexion interrompue",
	followup_overdue: "Suivi en retard",
	warranty_ending: "Fin de garantie",
	repair_open: "Réparation en cours",
	kit_uncollected: "Kit non retiré",
	stock_short: "Stock insuffisant",
	orientation_dropout: "Décrochage possible",
	scan_refused_on_replay: "Scan refusé à la reprise"
};
var STATES = {
	received: "reçu", in_stock: "en stock", reserved: "réservé",
	in_kit: "dans un kit", handed_over: "remis", returned: "rendu",
	in_repair: "en réparation", lost: "perdu", scrapped: "mis au rebut",
	active: "active", suspended: "suspendue", terminated: "résiliée"
};
var KINDS = {
	desktop: "ordinateur fixe", laptop: "ordinateur portable",
	tablet: "tablette", smartphone: "smartphone", "4g-router": "box 4G",
	sim: "carte SIM", accessory: "accessoire"
};
var SVGNS = "http://www.w3.org/2000/svg";

function el(tag, text, cls) {
	var e = document.createElement(tag);
	if (text !== undefined && text !== null)
		e.textContent = String(text);
	if (cls)
		e.className = cls;
	return e;
}

function nf(n) {
	return Number(n || 0).toLocaleString("fr-FR");
}

function api(path, options) {
	var o = options || {};
	o.credentials = "same-origin";
	o.headers = o.headers || {};
	o.headers.Accept = "application/json";
	return fetch(path, o).then(function (r) {
		if (r.status === 401 || r.status === 403) {
			var err = new Error("auth");
			err.auth = true;
			throw err;
		}
		if (!r.ok)
			throw new Error(path + " : HTTP " + r.status);
		return r.json();
	});
}

/* A bar: count against target, drawn by the page. */
function bar(count, target) {
	var w = 160, h = 14, svg = document.createElementNS(SVGNS, "svg");
	var frac = target > 0 ? Math.min(count / target, 1) : 0;
	var track = document.createElementNS(SVGNS, "rect");
	var done = document.createElementNS(SVGNS, "rect");
	svg.setAttribute("width", w);
	svg.setAttribute("height", h);
	svg.setAttribute("class", "bar");
	svg.setAttribute("role", "img");
	svg.setAttribute("aria-label", nf(count) + " sur " + nf(target));
	track.setAttribute("class", "track");
	track.setAttribute("width", w);
	track.setAttribute("height", h);
	done.setAttribute("class", "done");
	done.setAttribute("width", Math.round(w * frac));
	done.setAttribute("height", h);
	svg.appendChild(track);
	svg.appendChild(done);
	return svg;
}

function drawProgress(ind) {
	var box = document.getElementById("progress");
	var dl = ind.deadline;
	box.textContent = "";
	if (dl && dl.date) {
		document.getElementById("deadline").textContent =
		    "Échéance des diagnostics : " + dl.date + " (" +
		    (dl.days_left >= 0 ? "dans " + nf(dl.days_left) + " jours" :
		    "passée de " + nf(-dl.days_left) + " jours") + ") — " +
		    nf(dl.diagnosed_by_deadline) + " diagnostics à temps, " +
		    nf(dl.late) + " après, " + nf(dl.not_diagnosed) +
		    " personnes orientées sans diagnostic.";
	}
	ind.scopes.forEach(function (sc) {
		var div = el("div", null, "territory");
		var t = el("table"), head = el("tr");
		div.id = "scope-" + sc.code;
		div.appendChild(el("h3", sc.code === "departement" ?
		    "Département" : sc.code + " " + sc.name));
		["Indicateur", "Réalisé", "Objectif", "Avancement"].forEach(
		    function (x) { head.appendChild(el("th", x)); });
		t.appendChild(head);
		Object.keys(LABELS).forEach(function (k) {
			var v = sc[k] || { count: 0, target: 0 };
			var tr = el("tr"), c = el("td", nf(v.count), "num");
			var b = el("td");
			c.id = "ind-" + sc.code + "-" + k;
			c.setAttribute("data-count", String(v.count));
			tr.appendChild(el("td", LABELS[k]));
			tr.appendChild(c);
			tr.appendChild(el("td", nf(v.target), "num"));
			b.appendChild(bar(v.count, v.target));
			tr.appendChild(b);
			t.appendChild(tr);
		});
		div.appendChild(t);
		var bud = sc.budget || {};
		var p = el("p", "Dépenses : " + nf(Math.round(
		    (bud.spent_cents || 0) / 100)) + " € sur " +
		    nf(Math.round((bud.budget_cents || 0) / 100)) + " € (" +
		    String(bud.spent_share || 0).replace(".", ",") + " %)");
		p.id = "budget-" + sc.code;
		div.appendChild(p);
		box.appendChild(div);
	});
}

function drawStock(st) {
	var box = document.getElementById("stock"), t = el("table");
	var head = el("tr");
	box.textContent = "";
	["Type", "État", "Nombre"].forEach(function (x) {
		head.appendChild(el("th", x));
	});
	t.appendChild(head);
	(st.rows || []).forEach(function (r) {
		var tr = el("tr"), c = el("td", nf(r.count), "num");
		c.id = "stock-" + r.kind + "-" + r.state;
		c.setAttribute("data-count", String(r.count));
		tr.appendChild(el("td", KINDS[r.kind] || r.kind));
		tr.appendChild(el("td", STATES[r.state] || r.state));
		tr.appendChild(c);
		t.appendChild(tr);
	});
	box.appendChild(t);
}

function drawAlerts(al) {
	var ul = document.getElementById("alerts");
	var total = document.getElementById("alerts-total");
	ul.textContent = "";
	total.textContent = nf(al.items.length);
	total.setAttribute("data-count", String(al.items.length));
	Object.keys(al.counts || {}).forEach(function (k) {
		ul.setAttribute("data-" + k.replace(/_/g, "-"),
		    String(al.counts[k]));
	});
	al.items.slice(0, 15).forEach(function (a) {
		var li = el("li");
		li.appendChild(el("span", ALERTS[a.kind] || a.kind, "kind"));
		li.appendChild(document.createTextNode(a.message));
		ul.appendChild(li);
	});
	if (al.items.length > 15)
		ul.appendChild(el("li", "… et " + nf(al.items.length - 15) +
		    " autres (kitstock alerts pour la liste complète)."));
	if (al.items.length === 0)
		ul.appendChild(el("li", "Aucune alerte."));
}

function addScan(v) {
	var ul = document.getElementById("scans");
	var li = el("li", (v.station || "") + " : " + (v.item || v.code || "") +
	    " — " + (v.message || v.verdict || ""),
	    v.verdict === "refused" ? "refused" : "");
	ul.insertBefore(li, ul.firstChild);
	while (ul.children.length > 20)
		ul.removeChild(ul.lastChild);
}

/* Live scans: the page copes when the daemon has no stream. */
function follow() {
	var state = document.getElementById("stream-state");
	if (typeof EventSource === "undefined") {
		state.textContent = "Flux en direct non pris en charge.";
		return;
	}
	var es = new EventSource("/v1/stream");
	es.addEventListener("open", function () {
		state.textContent = "En direct.";
	});
	es.addEventListener("scan", function (e) {
		try { addScan(JSON.parse(e.data)); } catch (x) { /* ignore */ }
	});
	es.addEventListener("error", function () {
		if (es.readyState === EventSource.CLOSED) {
			state.textContent = "Flux des scans indisponible.";
			es.close();
		} else
			state.textContent = "Reconnexion au flux…";
	});
}

function showLogin(msg) {
	document.getElementById("login").hidden = false;
	document.getElementById("main").hidden = true;
	document.getElementById("sign-out").hidden = true;
	document.getElementById("programme").textContent = "Connexion requise.";
	if (msg)
		document.getElementById("login-error").textContent = msg;
	document.body.setAttribute("data-ready", "login");
}

function signIn(token) {
	return fetch("/v1/session", {
		method: "POST",
		credentials: "same-origin",
		headers: { "Content-Type": "application/json" },
		body: JSON.stringify({ token: token })
	}).then(function (r) {
		if (!r.ok)
			throw new Error("Jeton refusé.");
	});
}

/* Sign out: the daemon ends the session and forgets the cookie. */
function signOut() {
	return fetch("/v1/session", {
		method: "DELETE",
		credentials: "same-origin"
	}).then(function () {
		location.reload();
	});
}

function load() {
	Promise.all([api("/v1/programme"), api("/v1/indicators"),
	    api("/v1/stock?by=kind,state"), api("/v1/alerts")]).then(
	    function (res) {
		document.getElementById("login").hidden = true;
		document.getElementById("main").hidden = false;
		document.getElementById("sign-out").hidden = false;
		document.getElementById("programme").textContent =
		    res[0].name || "Programme";
		drawProgress(res[1]);
		drawStock(res[2]);
		drawAlerts(res[3]);
		document.body.setAttribute("data-ready", "1");
		follow();
	}).catch(function (e) {
		if (e.auth)
			showLogin();
		else {
			document.getElementById("programme").textContent =
			    "Erreur : " + e.message;
			document.body.setAttribute("data-ready", "error");
		}
	});
}

document.addEventListener("DOMContentLoaded", function () {
	var m = /token=([A-Za-z0-9_-]+)/.exec(location.hash);
	document.getElementById("sign-out").addEventListener("click", signOut);
	document.getElementById("login-form").addEventListener("submit",
	    function (ev) {
		ev.preventDefault();
		signIn(document.getElementById("token").value).then(load,
		    function (e) { showLogin(e.message); });
	});
	if (m) {
		/* A token in the fragment (never sent to a server): sign in. */
		history.replaceState(null, "", location.pathname);
		signIn(m[1]).then(load, function (e) { showLogin(e.message); });
	} else
		load();
});
