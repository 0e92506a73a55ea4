// carta: the feedback widget's follow-up question depends on the rating (AgID's model:
// 4-5 stars ask what went well, 1-3 what was hard). Without JavaScript both stay hidden and
// the rating and the free text are still sent.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches || !input.matches('.carta-feedback input[name="rating"]')) return;
  var form = input.form;
  var positive = Number(input.value) > 3;
  form.querySelectorAll("[data-carta-when]").forEach(function (box) {
    var show = (box.getAttribute("data-carta-when") === "positive") === positive;
    box.hidden = !show;
    if (!show) box.querySelectorAll("input").forEach(function (i) { i.checked = false; });
  });
});
