// The label request's button says how many labels it issues ("Issue 1,200 labels")
// as the number is typed. Without JavaScript the button keeps the server's wording.
(function () {
  var button = document.getElementById("issue");
  var count = document.getElementById("count");
  if (!button || !count) return;
  var format = new Intl.NumberFormat(document.documentElement.lang || "vi");
  count.addEventListener("input", function () {
    var n = parseInt(count.value, 10);
    if (!(n > 0)) return;
    var template = n === 1 ? button.dataset.one : button.dataset.other;
    button.textContent = template.replace("{n}", format.format(n));
  });
})();
