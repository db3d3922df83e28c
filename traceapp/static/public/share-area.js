// Optional: re-open the verification page with the phone's approximate position.
(function () {
  var link = document.getElementById("share-area");
  if (!navigator.geolocation) return;
  link.hidden = false;
  link.addEventListener("click", function (event) {
    event.preventDefault();
    navigator.geolocation.getCurrentPosition(function (p) {
      var url = new URL(link.href);
      url.searchParams.set("lat", p.coords.latitude.toFixed(1));
      url.searchParams.set("lon", p.coords.longitude.toFixed(1));
      window.location.href = url.toString();
    });
  });
})();
