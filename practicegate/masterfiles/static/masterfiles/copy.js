// Copy Codes: the Copy To choices never offer the account chosen as Copy From.
// (Without this file the server refuses such a choice with a message.)
document.addEventListener("DOMContentLoaded", () => {
  const source = document.querySelector(".copy-form select[name=source]");
  if (!source) return;
  const targets = document.querySelectorAll(".copy-form input[name=destinations]");
  const sync = () => {
    targets.forEach((box) => {
      const same = box.value === source.value;
      if (same) box.checked = false;
      box.disabled = same;
      const choice = box.closest("div");
      if (choice) choice.hidden = same;
    });
  };
  source.addEventListener("change", sync);
  sync();
});
