/* sxgeo map runtime (MIT, part of sxgeo). Plain ES2017 over Leaflet 1.9; no other dependency.
 *
 * Python (sxgeo.maps) writes one call per page:  sxgeo.render(map, pageSpec)
 * pageSpec = {lang, title, banner, notes, i18n, basemaps, basemap, groups, layers, tools, bounds}
 * Every attribute value reaches the DOM through esc() or textContent: data never becomes markup.
 * window.sxgeo.layers[name] = {count, legend, group, visible} lets a browser test see what is drawn,
 * even on canvas, where features have no DOM node.
 */
(function () {
  'use strict';
  var S = (window.sxgeo = window.sxgeo || {});
  S.layers = S.layers || {};
  S.lang = S.lang || 'zh';
  S.basemap = S.basemap || 'none';

  var ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  }
  S.esc = esc;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function fmt(v, f) {
    f = f || {};
    if (v === null || v === undefined || v === '' || (typeof v === 'number' && !isFinite(v))) return '–';
    var unit = f.unit ? ' ' + f.unit : '';
    if (typeof v === 'boolean') return S.i18n[v ? 'yes' : 'no'];
    if (typeof v === 'number') {
      var d = f.digits === undefined || f.digits === null ? (Number.isInteger(v) ? 0 : 2) : f.digits;
      return v.toLocaleString(S.lang === 'zh' ? 'zh-CN' : 'en-US', {
        minimumFractionDigits: d, maximumFractionDigits: d }) + unit;
    }
    return String(v) + unit;
  }
  S.fmt = fmt;

  function tipHtml(props, fields) {
    var rows = fields.map(function (f) {
      return '<tr><th>' + esc(f.label) + '</th><td>' + esc(fmt(props[f.name], f)) + '</td></tr>';
    });
    return '<table class="sxgeo-tip">' + rows.join('') + '</table>';
  }
  S.tipHtml = tipHtml;

  /* ---------- colours ---------- */
  function hexToRgb(h) {
    var n = parseInt(h.slice(1), 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }
  function rgbToHex(c) {
    return '#' + c.map(function (x) { return ('0' + Math.round(x).toString(16)).slice(-2); }).join('');
  }
  function ramp(colors, t) {
    if (!(t >= 0)) t = 0;
    if (t > 1) t = 1;
    var pos = t * (colors.length - 1), i = Math.min(Math.floor(pos), colors.length - 2), f = pos - i;
    var a = hexToRgb(colors[i]), b = hexToRgb(colors[i + 1]);
    return rgbToHex([0, 1, 2].map(function (k) { return a[k] + (b[k] - a[k]) * f; }));
  }
  function colourOf(style, props) {
    var v = style.field ? props[style.field] : undefined;
    var missing = style.missing || '#cccccc';
    switch (style.kind) {
      case 'categorical':
        return Object.prototype.hasOwnProperty.call(style.categories, v) ? style.categories[v] : missing;
      case 'classes':
        if (typeof v !== 'number' || !isFinite(v)) return missing;
        for (var i = 0; i < style.colors.length; i++) if (v <= style.breaks[i + 1]) return style.colors[i];
        return style.colors[style.colors.length - 1];
      case 'continuous':
        if (typeof v !== 'number' || !isFinite(v)) return missing;
        return ramp(style.colors, (v - style.vmin) / ((style.vmax - style.vmin) || 1));
      default:
        return style.color || '#3388ff';
    }
  }
  S.colourOf = colourOf;

  function pathStyle(spec, props) {
    var s = spec.style, c = colourOf(s, props);
    if (spec.geomType === 'line') return { color: c, weight: s.weight || 2, opacity: s.opacity || 0.9 };
    return {
      color: s.stroke || (spec.geomType === 'point' ? c : '#444444'),
      weight: s.weight === undefined ? 1 : s.weight,
      opacity: s.opacity === undefined ? 0.9 : s.opacity,
      fillColor: c,
      fillOpacity: s.fillOpacity === undefined ? 0.6 : s.fillOpacity,
      dashArray: s.dashArray || null,
      radius: s.radius || 4
    };
  }

  /* ---------- legends ---------- */
  function legendNode(lg) {
    var box = el('div', 'sxgeo-legend');
    box.appendChild(el('div', 'sxgeo-legend-title', lg.title + (lg.unit ? ' (' + lg.unit + ')' : '')));
    if (lg.kind === 'continuous') {
      var bar = el('div', 'sxgeo-legend-bar');
      bar.style.background = 'linear-gradient(to right,' + lg.colors.join(',') + ')';
      box.appendChild(bar);
      var lab = el('div', 'sxgeo-legend-range');
      lab.appendChild(el('span', null, fmt(lg.vmin, { digits: lg.digits })));
      lab.appendChild(el('span', null, fmt(lg.vmax, { digits: lg.digits })));
      box.appendChild(lab);
    } else {
      (lg.items || []).forEach(function (it) {
        var row = el('div', 'sxgeo-legend-item');
        var sw = el('span', 'sxgeo-swatch' + (lg.shape === 'point' ? ' sxgeo-swatch-point' : ''));
        sw.style.background = it.color;
        if (it.outline) sw.style.border = '2px solid ' + it.outline;
        row.appendChild(sw);
        row.appendChild(el('span', null, it.label + (it.count !== undefined && it.count !== null ?
          ' (' + fmt(it.count, { digits: 0 }) + ')' : '')));
        box.appendChild(row);
      });
    }
    if (lg.note) box.appendChild(el('div', 'sxgeo-legend-note', lg.note));
    return box;
  }

  /* ---------- geodesic measures (spherical earth, R = 6,371,008.8 m) ---------- */
  var R = 6371008.8;
  function ringArea(lls) {
    // sum of (lon2 - lon1)(2 + sin lat1 + sin lat2) R^2 / 2 over the ring edges
    var a = 0, d = Math.PI / 180;
    for (var i = 0; i < lls.length; i++) {
      var p = lls[i], q = lls[(i + 1) % lls.length];
      a += (q.lng - p.lng) * d * (2 + Math.sin(p.lat * d) + Math.sin(q.lat * d));
    }
    return Math.abs(a * R * R / 2);
  }
  S.ringArea = ringArea;

  /* ---------- controls ---------- */
  function makeControl(pos, build) {
    var C = L.Control.extend({
      options: { position: pos },
      onAdd: function (map) {
        var div = L.DomUtil.create('div', 'leaflet-bar sxgeo-control');
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        build(div, map);
        return div;
      }
    });
    return new C();
  }

  function titleBox(map, page) {
    makeControl('topleft', function (div) {
      div.classList.add('sxgeo-title');
      div.appendChild(el('div', 'sxgeo-title-main', page.title));
      if (page.banner) div.appendChild(el('div', 'sxgeo-banner', page.banner));
      (page.notes || []).forEach(function (n) { div.appendChild(el('div', 'sxgeo-note', n)); });
    }).addTo(map);
  }

  function layerSwitcher(map, page, bases, overlays) {
    makeControl('topright', function (div) {
      div.classList.add('sxgeo-switcher');
      var head = el('div', 'sxgeo-switcher-head', S.i18n.layers);
      var body = el('div', 'sxgeo-switcher-body');
      head.addEventListener('click', function () { body.classList.toggle('sxgeo-hidden'); });
      div.appendChild(head);
      div.appendChild(body);
      if (bases.length > 1) {
        body.appendChild(el('div', 'sxgeo-group', S.i18n.basemaps));
        bases.forEach(function (b) {
          var lab = el('label', 'sxgeo-row');
          var inp = el('input');
          inp.type = 'radio';
          inp.name = 'sxgeo-basemap';
          inp.value = b.id;
          inp.checked = b.id === page.basemap;
          inp.addEventListener('change', function () {
            bases.forEach(function (o) { o.layers.forEach(function (t) { map.removeLayer(t); }); });
            b.layers.forEach(function (t) { t.addTo(map); t.bringToBack(); });
            S.basemap = b.id;
          });
          lab.appendChild(inp);
          lab.appendChild(el('span', null, b.name));
          body.appendChild(lab);
        });
      }
      page.groups.forEach(function (g) {
        var members = overlays.filter(function (o) { return o.spec.group === g.id; });
        if (!members.length) return;
        body.appendChild(el('div', 'sxgeo-group', g.name));
        members.forEach(function (o) {
          var lab = el('label', 'sxgeo-row');
          var inp = el('input');
          inp.type = 'checkbox';
          inp.checked = map.hasLayer(o.layer);
          inp.setAttribute('data-layer', o.spec.name);
          inp.addEventListener('change', function () {
            if (inp.checked) o.layer.addTo(map); else map.removeLayer(o.layer);
          });
          o.checkbox = inp;
          lab.appendChild(inp);
          lab.appendChild(el('span', null, o.spec.name));
          body.appendChild(lab);
          if (o.spec.kind === 'raster') {
            var slider = el('input', 'sxgeo-opacity');
            slider.type = 'range';
            slider.min = '0';
            slider.max = '1';
            slider.step = '0.05';
            slider.value = String(o.spec.opacity);
            slider.title = S.i18n.opacity;
            slider.setAttribute('data-layer', o.spec.name);
            slider.addEventListener('input', function () { o.layer.setOpacity(parseFloat(slider.value)); });
            body.appendChild(slider);
          }
        });
      });
    }).addTo(map);
  }

  // a search key matches by its name (any part) or by its pinyin (initials or whole, any part)
  function searchMatches(keys, pinyin, q) {
    q = q.trim().toLowerCase();
    if (!q) return [];
    return keys.filter(function (k) {
      return k.toLowerCase().indexOf(q) >= 0 || (pinyin[k] || '').indexOf(q) >= 0;
    });
  }
  S.searchMatches = searchMatches;

  function searchBox(map, overlays) {
    var index = {}, pinyin = {};
    overlays.forEach(function (o) {
      if (!o.spec.search || !o.features) return;
      var py = o.spec.searchPinyin || {};
      o.features.forEach(function (f) {
        var key = f.feature.properties[o.spec.search];
        if (key === null || key === undefined) return;
        key = String(key);
        if (!index[key]) index[key] = { o: o, f: f };
        if (py[key] && !pinyin[key]) pinyin[key] = py[key];
      });
    });
    var keys = Object.keys(index).sort();
    if (!keys.length) return;
    makeControl('topleft', function (div) {
      div.classList.add('sxgeo-search');
      var inp = el('input');
      inp.type = 'search';
      inp.placeholder = S.i18n.search;
      inp.setAttribute('list', 'sxgeo-search-list');
      var dl = el('datalist');
      dl.id = 'sxgeo-search-list';
      var msg = el('div', 'sxgeo-search-msg sxgeo-hidden');
      function fill(list) {
        while (dl.firstChild) dl.removeChild(dl.firstChild);
        list.slice(0, 30).forEach(function (k) { var op = el('option'); op.value = k; dl.appendChild(op); });
      }
      fill(keys);
      function go(hit) {
        if (!map.hasLayer(hit.o.layer)) hit.o.layer.addTo(map);
        map.closePopup();
        if (hit.o.cluster) {
          // the cluster group zooms until the marker leaves its cluster, then opens it
          hit.o.cluster.zoomToShowLayer(hit.f, function () { hit.f.openTooltip(); });
        } else if (hit.f.getBounds) {
          map.fitBounds(hit.f.getBounds(), { maxZoom: 14, animate: false });
          hit.f.openTooltip(hit.f.getBounds().getCenter());
        } else {
          map.setView(hit.f.getLatLng(), Math.max(map.getZoom(), 13), { animate: false });
          hit.f.openTooltip();
        }
      }
      function find(final) {
        var q = inp.value;
        var found = index[q] ? [q] : searchMatches(keys, pinyin, q);
        fill(found.length ? found : keys);
        var none = q.trim() !== '' && !found.length;
        msg.textContent = none ? S.i18n.noMatch + ' ' + q.trim() : '';
        msg.classList.toggle('sxgeo-hidden', !none);
        S.searchResult = { query: q, matches: found.slice(0, 30) };
        if (final && found.length) go(index[found[0]]);
      }
      inp.addEventListener('input', function () { find(false); });
      inp.addEventListener('change', function () { find(true); });
      inp.addEventListener('keydown', function (e) { if (e.key === 'Enter') find(true); });
      div.appendChild(inp);
      div.appendChild(dl);
      div.appendChild(msg);
    }).addTo(map);
  }

  function measureTool(map) {
    var pts = [], line = null, poly = null, active = false, out;
    function km(m) { return fmt(m / 1000, { digits: 2, unit: 'km' }); }
    function redraw() {
      if (line) map.removeLayer(line);
      if (poly) map.removeLayer(poly);
      line = poly = null;
      if (pts.length > 1) line = L.polyline(pts, { color: '#d7301f', weight: 2, interactive: false }).addTo(map);
      if (pts.length > 2) poly = L.polygon(pts, { color: '#d7301f', weight: 1, dashArray: '4 4',
        fillOpacity: 0.1, interactive: false }).addTo(map);
      var dist = 0;
      for (var i = 1; i < pts.length; i++) dist += map.distance(pts[i - 1], pts[i]);
      out.textContent = pts.length < 2 ? S.i18n.measureHint :
        S.i18n.distance + ' ' + km(dist) + (pts.length > 2 ? ' · ' + S.i18n.area + ' ' +
        fmt(ringArea(pts) / 1e6, { digits: 3, unit: 'km²' }) : '');
    }
    function click(e) { pts.push(e.latlng); redraw(); }
    makeControl('topleft', function (div) {
      div.classList.add('sxgeo-measure');
      var btn = el('a', 'sxgeo-button', S.i18n.measure);
      btn.href = '#';
      btn.setAttribute('role', 'button');
      out = el('div', 'sxgeo-measure-out sxgeo-hidden');
      L.DomEvent.on(btn, 'click', function (e) {
        L.DomEvent.preventDefault(e);
        active = !active;
        S.measuring = active;
        map.closePopup();
        btn.classList.toggle('sxgeo-active', active);
        out.classList.toggle('sxgeo-hidden', !active);
        pts = [];
        redraw();
        map.getContainer().style.cursor = active ? 'crosshair' : '';
        if (active) { map.on('click', click); map.doubleClickZoom.disable(); }
        else { map.off('click', click); map.doubleClickZoom.enable(); }
      });
      div.appendChild(btn);
      div.appendChild(out);
    }).addTo(map);
  }

  function fullscreenTool(map) {
    makeControl('topleft', function (div) {
      var btn = el('a', 'sxgeo-button', S.i18n.fullscreen);
      btn.href = '#';
      btn.setAttribute('role', 'button');
      L.DomEvent.on(btn, 'click', function (e) {
        L.DomEvent.preventDefault(e);
        var c = map.getContainer();
        if (document.fullscreenElement) document.exitFullscreen();
        else if (c.requestFullscreen) c.requestFullscreen().catch(function () { c.classList.toggle('sxgeo-full'); });
        else c.classList.toggle('sxgeo-full');
        setTimeout(function () { map.invalidateSize(); }, 200);
      });
      div.appendChild(btn);
    }).addTo(map);
  }

  /* ---------- layers ---------- */
  function vectorLayer(map, spec, canvas) {
    var features = [];
    var opts = {
      style: function (f) { return pathStyle(spec, f.properties); },
      pointToLayer: function (f, ll) { return L.circleMarker(ll, pathStyle(spec, f.properties)); },
      onEachFeature: function (f, lyr) {
        features.push(lyr);
        if (spec.tooltip && spec.tooltip.length) {
          var html = function () { return tipHtml(f.properties, spec.tooltip); };
          lyr.bindTooltip(html, { sticky: spec.geomType !== 'point' });
          // the same formatted table on click (touch screens, copying values), except while measuring;
          // the popup replaces the tooltip: never both open
          lyr.on('click', function (e) {
            if (S.measuring) return;
            lyr.closeTooltip();
            S.popup = L.popup({ maxWidth: 360 }).setLatLng(e.latlng).setContent(html()).openOn(map);
          });
        }
      }
    };
    if (spec.renderer === 'canvas') opts.renderer = canvas;
    var gj = L.geoJSON(spec.data, opts);
    var layer = gj, cluster = null;
    if (spec.cluster && L.markerClusterGroup) {
      cluster = L.markerClusterGroup({ showCoverageOnHover: false, chunkedLoading: true });
      cluster.addLayer(gj);
      layer = cluster;
    }
    var labels = null;
    if (spec.labels && spec.labels.length) {
      labels = L.layerGroup(spec.labels.map(function (t) {
        return L.marker([t.lat, t.lon], { interactive: false, keyboard: false,
          icon: L.divIcon({ className: 'sxgeo-label', html: '<span>' + esc(t.text) + '</span>', iconSize: [0, 0] }) });
      }));
    }
    return { layer: layer, features: features, cluster: cluster, count: spec.data.features.length, labels: labels };
  }

  function rasterLayer(spec) {
    var layer = L.imageOverlay(spec.image, spec.bounds, { opacity: spec.opacity, interactive: false });
    return { layer: layer, features: null, cluster: null, count: 1 };
  }

  S.render = function (map, page) {
    S.lang = page.lang;
    S.i18n = page.i18n;
    S.basemap = page.basemap;
    S.map = map;
    // with no tile layer the map has no zoom range, which markercluster needs
    if (map.options.maxZoom === undefined) map.setMaxZoom(page.maxZoom || 19);
    if (map.options.minZoom === undefined) map.setMinZoom(3);
    // quarter zoom steps let a city fill the window; tiles are scaled in between
    map.options.zoomSnap = 0.25;
    map.options.zoomDelta = 0.5;
    // fit first, so no tile or canvas is drawn for a view the page immediately leaves
    if (page.bounds) map.fitBounds(page.bounds, { animate: false, padding: [10, 10] });
    var canvas = L.canvas({ padding: 0.5 });
    // popup and tooltip never both open: while a popup is open the tooltips are hidden
    map.on('popupopen', function () { map.getContainer().classList.add('sxgeo-popup-open'); });
    map.on('popupclose', function () { map.getContainer().classList.remove('sxgeo-popup-open'); });
    var bases = page.basemaps.map(function (b) {
      return { id: b.id, name: b.name, layers: b.tiles.map(function (t) { return L.tileLayer(t.url, t.options); }) };
    });
    bases.forEach(function (b) { if (b.id === page.basemap) b.layers.forEach(function (t) { t.addTo(map); }); });
    // tiles that cannot load (offline): drop the basemap, say so on the map
    var offline = false;
    bases.forEach(function (b) {
      b.layers.forEach(function (t) {
        t.on('tileerror', function () {
          if (offline) return;
          offline = true;
          bases.forEach(function (o) { o.layers.forEach(function (x) { map.removeLayer(x); }); });
          S.basemap = 'none';
          S.basemapOffline = true;
          var radio = document.querySelector('input[name="sxgeo-basemap"][value="none"]');
          if (radio) radio.checked = true;
          var note = document.querySelector('.sxgeo-title');
          if (note) note.appendChild(el('div', 'sxgeo-note sxgeo-offline', S.i18n.basemapOffline));
        });
      });
    });

    var legendBox = null;
    var legendCtl = makeControl('bottomright', function (div) { div.classList.add('sxgeo-legends'); legendBox = div; });
    legendCtl.addTo(map);

    var overlays = page.layers.map(function (spec) {
      var made = spec.kind === 'raster' ? rasterLayer(spec) : vectorLayer(map, spec, canvas);
      var o = { spec: spec, layer: made.layer, features: made.features, cluster: made.cluster };
      var entry = S.layers[spec.name] = {
        count: made.count, group: spec.group, legend: spec.legend ? spec.legend.title : null,
        legendItems: spec.legend && spec.legend.items ? spec.legend.items.length : 0, visible: false
      };
      if (spec.legend) {
        o.legendNode = legendNode(spec.legend);
        o.legendNode.setAttribute('data-layer', spec.name);
      }
      o.layer.on('add', function () {
        entry.visible = true;
        if (made.labels) made.labels.addTo(map);
        if (o.legendNode) legendBox.appendChild(o.legendNode);
        if (o.checkbox) o.checkbox.checked = true;
      });
      o.layer.on('remove', function () {
        entry.visible = false;
        if (made.labels) map.removeLayer(made.labels);
        if (o.legendNode && o.legendNode.parentNode) o.legendNode.parentNode.removeChild(o.legendNode);
        if (o.checkbox) o.checkbox.checked = false;
      });
      if (spec.show) o.layer.addTo(map);
      return o;
    });

    titleBox(map, page);
    if (page.tools.search) searchBox(map, overlays);
    if (page.tools.fullscreen) fullscreenTool(map);
    if (page.tools.measure) measureTool(map);
    if (page.tools.scale) L.control.scale({ imperial: false, maxWidth: 150 }).addTo(map);
    layerSwitcher(map, page, bases, overlays);
    S.ready = true;
  };
})();
