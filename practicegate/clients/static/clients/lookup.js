// The lookup boxes of the client forms (clients/lookups.py): a WAI-ARIA combobox whose
// listbox of matches comes from the account's lookup endpoint as the person types.
// Keys: Down and Up move through the matches, Enter chooses one, Escape closes the list.
// Without this file each box is a text box, and the server offers a "choose one" step.
(() => {
  const DELAY = 250; // ms after the last keystroke before asking the server
  const MIN_LENGTH = 2;

  function hiddenInput(box, name) {
    let input = box.querySelector(`input[type=hidden][name="${name}"]`);
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      box.append(input);
    }
    return input;
  }

  function enhance(box) {
    const input = box.querySelector("input[type=text]");
    const url = box.dataset.lookupUrl;
    if (!input || !url || !input.id) return;
    const name = input.name.replace(/_search$/, "");
    const plural = box.dataset.lookupPlural;

    const anchor = document.createElement("div");
    anchor.className = "lookup-anchor";
    input.before(anchor);
    anchor.append(input);
    const list = document.createElement("ul");
    list.id = `${input.id}_listbox`;
    list.className = "lookup-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", `Matching ${plural}`);
    list.hidden = true;
    anchor.append(list);
    const status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    box.append(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    let options = [];
    let active = -1;
    let timer = null;
    let pending = null;

    const say = (message) => { status.textContent = message; };

    const close = () => {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      setActive(-1);
    };

    const open = () => {
      if (!options.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    };

    function setActive(index) {
      active = index;
      options.forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    // The choice is posted under the field's own name: a fresh text forgets it, and the
    // server's "choose one" list, once stale, goes.
    const forget = () => {
      const choices = box.querySelector(".lookup-choices");
      if (choices) choices.remove();
      hiddenInput(box, name).value = "";
      hiddenInput(box, `${name}_shown`).value = "";
    };

    const choose = (index) => {
      const li = options[index];
      forget();
      input.value = li.textContent;
      hiddenInput(box, name).value = li.dataset.value;
      hiddenInput(box, `${name}_shown`).value = li.textContent;
      close();
      say(`${li.textContent}: chosen.`);
    };

    const show = (data) => {
      list.replaceChildren();
      options = data.options.map((option, i) => {
        const li = document.createElement("li");
        li.id = `${list.id}_${i}`;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.value = option.value;
        li.textContent = option.label;
        li.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus in the box
        li.addEventListener("click", () => choose(i));
        list.append(li);
        return li;
      });
      active = -1;
      if (!options.length) {
        close();
        say(`No active ${plural} match.`);
        return;
      }
      open();
      const count = options.length === 1 ? "1 match" : `${options.length} matches`;
      say(`${count}${data.more ? ", the first of more: type more to narrow them" : ""}. ` +
          "Use the Down and Up arrow keys to move through them, and Enter to choose.");
    };

    const search = async () => {
      const term = input.value.trim();
      if (pending) pending.abort();
      if (term.length < MIN_LENGTH) {
        options = [];
        list.replaceChildren();
        close();
        return;
      }
      pending = new AbortController();
      try {
        const response = await fetch(`${url}?q=${encodeURIComponent(term)}`, {
          headers: { Accept: "application/json" }, credentials: "same-origin", signal: pending.signal,
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const data = await response.json();
        if (input.value.trim() === term) show(data);
      } catch (error) {
        if (error.name === "AbortError") return;
        options = [];
        close();
        say("The matches could not be loaded; send the form and the words will be looked up.");
      }
    };

    input.addEventListener("input", () => {
      forget();
      setActive(-1); // until the new matches come, Enter sends what was typed
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });

    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!options.length) {
          if (input.value.trim().length >= MIN_LENGTH) search();
          return;
        }
        open();
        const step = event.key === "ArrowDown" ? 1 : -1;
        const start = active < 0 ? (step > 0 ? -1 : options.length) : active;
        setActive((start + step + options.length) % options.length);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault(); // choose, do not send the form yet
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", () => close());
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".lookup[data-lookup-url]").forEach(enhance);
  });
})();
