// Join Codes: a Copy button beside a new code. Without this file the button stays hidden
// and the code is plain text, selected whole by one click (user-select: all).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button.copy-code[data-copy-from]").forEach((button) => {
    const source = document.getElementById(button.dataset.copyFrom);
    const result = button.parentElement.querySelector(".copy-result");
    if (!source) return;
    const say = (text) => { if (result) result.textContent = text; };
    const selectCode = () => {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    };
    button.hidden = false;
    button.addEventListener("click", async () => {
      const text = source.textContent.trim();
      try {
        if (!navigator.clipboard) throw new Error("no clipboard");
        await navigator.clipboard.writeText(text);
        say("Copied.");
      } catch (_error) {
        selectCode();
        say("Selected: press Ctrl+C (or \u2318C) to copy.");
      }
    });
  });
});
