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
