/* The demo product page's own behaviour: a basket counter, nothing is bought. */
(() => {
  "use strict";
  const count = document.getElementById("basket-count");
  const note = document.getElementById("basket-note");
  document.getElementById("add-to-basket").addEventListener("click", () => {
    count.textContent = String(Number(count.textContent) + 1);
    note.textContent = "Added to your basket (demo: nothing is ordered).";
  });
})();
