// Light and dark themes: the reader's choice is remembered; until then the system's.

const KEY = "tailgate.theme";

export function currentTheme() {
  return document.documentElement.dataset.theme;
}

export function applyStoredTheme() {
  let theme;
  try {
    theme = localStorage.getItem(KEY);
  } catch {
    theme = null;
  }
  if (theme !== "light" && theme !== "dark") {
    theme = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  setTheme(theme, false);
}

export function setTheme(theme, remember = true) {
  document.documentElement.dataset.theme = theme;
  if (remember) {
    try {
      localStorage.setItem(KEY, theme);
    } catch {
      // Private windows may refuse storage: the theme then lasts until reload.
    }
  }
}

export function toggleTheme() {
  setTheme(currentTheme() === "dark" ? "light" : "dark");
}
