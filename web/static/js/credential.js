// The /verify/{number} page opened from a card's QR code: the compact JWS after "#" is
// checked here, in the browser, with WebCrypto (ES256) against the register's JWK Set, then
// compared with the entry the page shows (the register now). Every word shown comes from
// the data- attributes of #credential-check (public/_credential_check.html).
(function () {
  "use strict";

  var FIELDS = ["fullNameAr", "fullNameEn", "category", "specialty", "rank", "validUntil"];
  var box = document.getElementById("credential-check");
  var token = decodeURIComponent(window.location.hash.slice(1));
  if (!box || !token) return;
  var say = box.dataset;

  function bytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(b64 + "===".slice((b64.length + 3) % 4));
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function json(b64url) {
    return JSON.parse(new TextDecoder().decode(bytes(b64url)));
  }

  // The message with each {name} replaced: dates as <bdi dir="ltr"> that do not wrap, so
  // "2026-12-03" stays in one piece and in order inside Arabic text.
  function fill(text, values) {
    var nodes = [];
    text.split(/(\{\w+\})/).forEach(function (piece) {
      var name = /^\{(\w+)\}$/.exec(piece);
      if (!name) {
        if (piece) nodes.push(document.createTextNode(piece));
      } else if (name[1] === "fields") {
        nodes.push(document.createTextNode(values.fields || ""));
      } else {
        var value = document.createElement("bdi");
        value.dir = "ltr";
        value.className = "credential-check__value";
        value.textContent = values[name[1]] || "";
        nodes.push(value);
      }
    });
    return nodes;
  }

  function show(variant, title, body) {
    var banner = document.createElement("div");
    banner.className = "banner banner--" + variant;
    banner.setAttribute("role", variant === "warning" || variant === "error" ? "alert" : "status");
    banner.setAttribute("data-verdict", variant);
    var icon = document.createElement("span");
    icon.className = "banner__icon";
    icon.setAttribute("aria-hidden", "true");
    var content = document.createElement("div");
    content.className = "banner__content";
    var heading = document.createElement("h2");
    heading.className = "banner__title";
    var prefix = document.createElement("span");
    prefix.className = "visually-hidden";
    prefix.textContent = say["prefix" + variant.charAt(0).toUpperCase() + variant.slice(1)] + " ";
    heading.append(prefix, title);
    content.append(heading);
    if (body) {
      var paragraph = document.createElement("p");
      paragraph.className = "banner__body";
      paragraph.append.apply(paragraph, body);
      content.append(paragraph);
    }
    banner.append(icon, content);
    box.replaceChildren(banner);
    box.hidden = false;
  }

  async function keySet(reload) {
    var response = await fetch(say.jwksUrl, { cache: reload ? "reload" : "default" });
    if (!response.ok) throw new Error("JWK Set: HTTP " + response.status);
    return (await response.json()).keys || [];
  }

  // The claims if the signature is the register's, else null.
  async function verified(parts) {
    var header = json(parts[0]);
    if (header.alg !== "ES256") return null;
    var find = function (keys) {
      return keys.filter(function (k) { return k.kid === header.kid; })[0];
    };
    // A key made since the cached set was fetched: ask again, past every cache.
    var jwk = find(await keySet(false)) || find(await keySet(true));
    if (!jwk) return null;
    var key = await crypto.subtle.importKey(
      "jwk", { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, ext: true },
      { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
    var ok = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" }, key, bytes(parts[2]),
      new TextEncoder().encode(parts[0] + "." + parts[1]));
    return ok ? json(parts[1]) : null;
  }

  function differences(card) {
    var now = {
      fullNameAr: say.fullNameAr, fullNameEn: say.fullNameEn, category: say.category,
      specialty: say.specialty, rank: say.rank, validUntil: say.validUntil,
    };
    return FIELDS.filter(function (name) { return card[name] !== now[name]; })
      .map(function (name) {
        return say["field" + name.charAt(0).toUpperCase() + name.slice(1)];
      });
  }

  async function check() {
    var parts = token.split(".");
    if (!window.crypto || !crypto.subtle) {
      show("info", say.uncheckedTitle, [say.uncheckedBody]);
      return;
    }
    show("info", say.checking, null);
    var claims;
    try {
      claims = parts.length === 3 ? await verified(parts) : null;
    } catch (error) {
      // A malformed code is a forgery; a network or browser failure is not a verdict.
      claims = error instanceof SyntaxError || error instanceof DOMException &&
        error.name === "InvalidCharacterError" ? null : undefined;
    }
    if (claims === undefined) {
      show("info", say.uncheckedTitle, [say.uncheckedBody]);
      return;
    }
    var card = claims && claims.registration;
    if (!card || claims.sub !== say.number || card.number !== say.number ||
        claims.iss !== say.issuer) {
      show("error", say.forgedTitle, [say.forgedBody]);
      return;
    }
    // The day in the Kingdom (UTC+3 all year), as the register counts days.
    var issued = new Date((claims.iat + 3 * 3600) * 1000).toISOString().slice(0, 10);
    var values = { issued: issued, date: card.validUntil };
    if (say.status === "SUSPENDED") {
      show("error", say.suspendedTitle, fill(say.suspendedBody, values));
    } else if (say.status === "EXPIRED") {
      show("warning", say.expiredTitle, fill(say.expiredBody, values));
    } else {
      var changed = differences(card);
      if (changed.length) {
        values.fields = changed.join(say.listSeparator);
        show("warning", say.differsTitle, fill(say.differsBody, values));
      } else {
        show("success", say.genuineTitle, fill(say.genuineBody, values));
      }
    }
  }

  check();
})();
