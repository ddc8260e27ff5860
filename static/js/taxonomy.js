// taxonomy.js: the event types, sub-types, modalities and their colours,
// as the server serves them at api/taxonomy (the Go taxonomy and the
// palette file static/palette.json), so the page never keeps a copy.

// makeTaxonomy turns the api/taxonomy answer into what the page asks of
// it: ordered names and a colour for every type.
export function makeTaxonomy(answer) {
  const classes = (answer && answer.event_types) || [];
  const colours = new Map(classes.map((c) => [c.type, c.colour]));
  const unknown = (answer && answer.unknown_colour) || '#777777';
  return {
    types: classes.map((c) => c.type),
    subTypes: new Map(classes.map((c) => [c.type, c.sub_types || []])),
    modalities: ((answer && answer.modalities) || []).map((m) => m.name),
    modalityLabels: new Map(((answer && answer.modalities) || []).map((m) => [m.name, m.label || m.name])),
    unknownColour: unknown,
    colourOf: (type) => colours.get(type) || unknown,
  };
}
