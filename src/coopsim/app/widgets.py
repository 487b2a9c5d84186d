"""The class app's two browser-side widgets (Vue templates served with the page, nothing from a
CDN): the map (province outlines, regions, partners and partnership lines; hover shows a name,
a click selects) and the button that saves the page's charts as one PNG.

The map's outlines and dots are sent once per run; each step sends only what moved: which
regions have an active partnership, which partners are linked, and the lines.
"""

from __future__ import annotations

import ipyvuetify as v
import traitlets

__all__ = ["MapSvg", "PngExport"]


class MapSvg(v.VuetifyTemplate):
    """The map (or the network sketch, without outlines) as SVG drawn by the browser.

    Its data come as two JSON texts (a text is compared and sent in one piece, where a long list
    would be walked item by item on every step): `base` (sent once per run, filter and
    language: `view` [width, height], `shapes` [{iso, d, name, dim}], `regions` and `partners`
    [[id, x, y, r]], `labels` (a name per id), `colours` {live, idle, partner}) and `frame`
    (sent every step: `live` ids of regions with an active partnership, `shown` ids of partners
    to draw, `lines` [[x1, y1, x2, y2, colour, stage, row]]). `selected` is [kind, id]; the
    browser sets `clicked` to [kind, id, nonce] on a click (kind 'region', 'partner',
    'partnership' or 'province').
    """

    base = traitlets.Unicode("{}").tag(sync=True)
    frame = traitlets.Unicode("{}").tag(sync=True)
    selected = traitlets.List(["", -1]).tag(sync=True)
    clicked = traitlets.List(["", -1, 0]).tag(sync=True)
    template = traitlets.Unicode("""
<template>
  <div class="coopsim-map" style="position: relative; width: 100%;">
    <svg :viewBox="'0 0 ' + view[0] + ' ' + view[1]" width="100%" style="display: block; background: #eef5fa;">
      <path v-for="p in shapes" :key="p.iso" class="province" :d="p.d" :fill="p.dim ? '#f1f1ee' : '#e6dfc8'"
            stroke="#8c8c8c" stroke-width="0.08" style="cursor: pointer" @click="click('province', p.iso)">
        <title>{{ p.name }}</title>
      </path>
      <g v-for="l in lines" :key="'l' + l[6]" class="partnership" style="cursor: pointer"
         @click="click('partnership', l[6])">
        <line :x1="l[0]" :y1="l[1]" :x2="l[2]" :y2="l[3]" stroke="transparent" stroke-width="1.1"/>
        <line :x1="l[0]" :y1="l[1]" :x2="l[2]" :y2="l[3]" :stroke="l[4]"
              :stroke-width="isSelected('partnership', l[6]) ? 0.6 : (l[5] === 'active' ? 0.25 : 0.17)"
              :stroke-dasharray="(l[5] === 'exploration' || l[5] === 'loi') ? '0.8 0.5' : null"
              stroke-opacity="0.9"/>
      </g>
      <circle v-for="n in regions" :key="'r' + n[0]" class="region" :cx="n[1]" :cy="n[2]"
              :r="isSelected('region', n[0]) ? n[3] * 1.8 : n[3]"
              :fill="liveSet.has(n[0]) ? colours.live : colours.idle"
              :stroke="isSelected('region', n[0]) ? '#000' : '#fff'" stroke-width="0.12" style="cursor: pointer"
              @mouseenter="hovered = n" @mouseleave="hovered = null" @click="click('region', n[0])"/>
      <circle v-for="n in shownPartners" :key="'p' + n[0]" class="partner" :cx="n[1]" :cy="n[2]"
              :r="isSelected('partner', n[0]) ? n[3] * 1.8 : n[3]" :fill="colours.partner"
              :stroke="isSelected('partner', n[0]) ? '#000' : '#fff'" stroke-width="0.1" style="cursor: pointer"
              @mouseenter="hovered = n" @mouseleave="hovered = null" @click="click('partner', n[0])"/>
    </svg>
    <div v-if="hovered" class="coopsim-hover"
         :style="{position: 'absolute', left: Math.min(hovered[1] / view[0] * 100 + 1, 70) + '%',
                  top: (hovered[2] / view[1] * 100) + '%', background: 'white', border: '1px solid #888',
                  borderRadius: '4px', padding: '2px 8px', fontSize: '18px', pointerEvents: 'none',
                  whiteSpace: 'nowrap', zIndex: 5}">
      {{ labels[hovered[0]] }}
    </div>
  </div>
</template>
<script>
module.exports = {
  data() { return {hovered: null}; },
  computed: {
    b() { return Object.assign({view: [100, 62], shapes: [], regions: [], partners: [], labels: [], colours: {}},
                               JSON.parse(this.base)); },
    f() { return Object.assign({live: [], shown: [], lines: []}, JSON.parse(this.frame)); },
    view() { return this.b.view; },
    shapes() { return this.b.shapes; },
    regions() { return this.b.regions; },
    labels() { return this.b.labels; },
    colours() { return this.b.colours; },
    lines() { return this.f.lines; },
    liveSet() { return new Set(this.f.live); },
    partnerById() { return new Map(this.b.partners.map(n => [n[0], n])); },
    shownPartners() { return this.f.shown.map(id => this.partnerById.get(id)).filter(n => n); }
  },
  methods: {
    isSelected(kind, id) { return this.selected[0] === kind && this.selected[1] === id; },
    click(kind, id) { this.clicked = [kind, id, Date.now()]; }
  }
};
</script>
""").tag(sync=True)


class PngExport(v.VuetifyTemplate):
    """A button that draws every chart on the page (`svg.coopsim-chart`) onto one canvas in the
    browser and downloads it as a PNG: the charts exactly as shown, in the page's language.

    Traits: `label` (the button's words), `filename`.
    """

    label = traitlets.Unicode("PNG").tag(sync=True)
    filename = traitlets.Unicode("coopsim_charts.png").tag(sync=True)
    template = traitlets.Unicode("""
<template>
  <v-btn class="coopsim-png" color="primary" outlined @click="save">{{ label }}</v-btn>
</template>
<script>
module.exports = {
  methods: {
    save() {
      const charts = [...document.querySelectorAll('svg.coopsim-chart')];
      if (!charts.length) { return; }
      const scale = 2, gap = 16;
      const boxes = charts.map(s => ({w: s.viewBox.baseVal.width, h: s.viewBox.baseVal.height}));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(...boxes.map(b => b.w)) * scale;
      canvas.height = boxes.reduce((sum, b) => sum + b.h * scale + gap, 0);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      let y = 0;
      const finish = () => canvas.toBlob(blob => {
        const a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = this.filename;
        document.body.appendChild(a);
        a.click();
        a.remove();
      }, 'image/png');
      const draw = (i) => {
        if (i >= charts.length) { finish(); return; }
        const copy = charts[i].cloneNode(true);
        copy.setAttribute('width', boxes[i].w);
        copy.setAttribute('height', boxes[i].h);
        const img = new Image();
        img.onload = () => {
          ctx.drawImage(img, 0, y, boxes[i].w * scale, boxes[i].h * scale);
          y += boxes[i].h * scale + gap;
          draw(i + 1);
        };
        img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(copy));
      };
      draw(0);
    }
  }
};
</script>
""").tag(sync=True)
