// A pane's level chips and volume chart, between its model and the page.
//
// The chips show how many held lines have each level and choose which levels the pane
// shows; the choice lives in the model (`model.levels`, a LevelChoice), which filters
// the rows. The chart draws the model's volume buckets once a second and when lines
// arrive, and asks the pane to bring a chosen second's first line into view.

import { LEVELS, levelCode } from "./levels.js";
import { VolumeChart } from "./volume-chart.js";

const number = new Intl.NumberFormat("en");

export class PaneLevels {
  // el(part) finds a part of the pane; onChoose(choice) applies a new LevelChoice;
  // onPick(seq, second) brings entry `seq`, the first received in `second`, into view.
  constructor(model, { el, onChoose, onPick }) {
    this.model = model;
    this.onChoose = onChoose;
    this.bar = el("levels");
    this.chipsBox = el("chips");
    this.canvas = el("volume");
    this.toggle = el("volume-on");
    this.chips = new Map();
    this.shownKey = "";
    this.chipsBox.append(this.chip("all", "All", "Show lines of every level"));
    for (const name of LEVELS) {
      this.chipsBox.append(this.chip(name, name, `Show only ${name} lines (with the others chosen)`));
    }
    this.chart = new VolumeChart(this.canvas, {
      buckets: model.volume,
      onPick: (seq, second) => onPick(seq, second),
    });
    this.toggle.addEventListener("change", () => this.update());
    this.timer = setInterval(() => this.drawChart(), 1000);
    this.update();
  }

  chip(name, label, help) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = name === "all" ? "chip" : `chip lvl-${name}`;
    button.dataset.level = name;
    button.title = help;
    const text = document.createElement("span");
    text.textContent = label;
    const count = document.createElement("span");
    count.className = "count";
    button.append(text, count);
    button.addEventListener("click", () => this.choose(name));
    this.chips.set(name, { button, count });
    return button;
  }

  choose(name) {
    const current = this.model.levels;
    this.onChoose(name === "all" ? current.cleared() : current.toggled(name));
    this.update();
  }

  // Called whenever the pane draws: chip counts and states, the chart.
  update() {
    const model = this.model;
    const chart = this.toggle.checked;
    this.chipsBox.hidden = !model.hasLevels;
    this.canvas.hidden = !chart;
    this.bar.hidden = !model.hasLevels && !chart;
    const choice = model.levels;
    const key = `${choice.query}/${model.levelCounts.slice(1).join(",")}`;
    if (key !== this.shownKey) {
      this.shownKey = key; // chips change only when counts or the choice do
      for (const [name, { button, count }] of this.chips) {
        const pressed = name === "all" ? !choice.active : choice.has(name);
        button.setAttribute("aria-pressed", pressed ? "true" : "false");
        if (name !== "all") count.textContent = number.format(model.levelCounts[levelCode(name)]);
      }
    }
    this.drawChart();
  }

  // At most once an animation frame (the pane draws no more often) and once a second.
  drawChart() {
    if (this.toggle.checked && !this.canvas.hidden) this.chart.draw();
  }

  close() {
    clearInterval(this.timer);
  }
}
