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

// Sent with fetch where it can be: the answer shows in place, the page is not reloaded.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches || !form.matches(".carta-feedback") || !window.fetch) return;
  event.preventDefault();
  var status = form.querySelector(".carta-feedback__status");
  if (!form.querySelector('input[name="rating"]:checked')) {
    status.textContent = form.getAttribute("data-required");
    return;
  }
  fetch(form.action, {method: "POST", body: new FormData(form),
                      headers: {Accept: "application/json"}})
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      form.querySelectorAll("fieldset, .carta-feedback__text, button").forEach(function (e) {
        e.hidden = true;
      });
      status.textContent = form.getAttribute("data-thanks");
    })
    .catch(function () { status.textContent = form.getAttribute("data-error"); });
});
