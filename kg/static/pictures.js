// The picture pages' side panel: shows a box's name, posts and responsibilities on hover or
// keyboard focus (kg/http/pictures.py).
(function () {
  var panel = document.getElementById('details');
  if (!panel) { return; }
  function list(text) {
    var items = document.createElement('ul');
    (text || '').split('\n').forEach(function (line) {
      if (!line) { return; }
      var item = document.createElement('li');
      item.textContent = line;
      items.appendChild(item);
    });
    return items;
  }
  function show(box) {
    var parts = [panel.querySelector('h2')];
    var title = document.createElement('h3');
    title.textContent = box.getAttribute('data-name');
    parts.push(title, list(box.getAttribute('data-posts')));
    var duties = box.getAttribute('data-responsibilities');
    if (duties) {
      var heading = document.createElement('h4');
      heading.textContent = 'Responsibilities';
      parts.push(heading, list(duties));
    }
    panel.replaceChildren.apply(panel, parts);
  }
  document.querySelectorAll('.kg-picture .box').forEach(function (box) {
    box.addEventListener('focus', function () { show(box); });
    box.addEventListener('mouseenter', function () { show(box); });
  });
})();
