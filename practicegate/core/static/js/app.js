// Progressive enhancements only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Filter the provider dropdown as the user types.
  document.querySelectorAll(".switcher-filter").forEach((input) => {
    const items = input.closest(".switcher-panel").querySelectorAll(".switcher-list li");
    input.addEventListener("input", () => {
      const q = input.value.trim().toLowerCase();
      items.forEach((li) => { li.hidden = q !== "" && !li.textContent.toLowerCase().includes(q); });
    });
  });
  // Ask before destructive actions: forms marked data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});

// On a phone the left menu folds behind its Menu button (CSS shows the button only there).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".leftmenu .menu-button").forEach((button) => {
    const nav = button.closest(".leftmenu");
    nav.classList.add("foldable");
    button.hidden = false;
    button.addEventListener("click", () => {
      const open = nav.classList.toggle("open");
      button.setAttribute("aria-expanded", String(open));
    });
  });
});
