/* How a group of incidents is drawn: a disc split by each type's share, sized by its count. */

/** Size (px), CSS background and label of the disc of `count` incidents. */
export function clusterDisc(count, byType, colourOf) {
  let total = 0;
  const stops = Object.keys(byType)
    .sort()
    .map((type) => {
      const from = (total / count) * 100;
      total += byType[type];
      const to = (total / count) * 100;
      return `${colourOf(type)} ${from.toFixed(1)}% ${to.toFixed(1)}%`;
    });
  return {
    size: Math.round(28 + 8 * Math.log10(Math.max(count, 1))),
    background: `conic-gradient(${stops.join(", ")})`,
    label: count.toLocaleString("en"),
  };
}

/** How many incidents of each type a list of types holds. */
export function countByType(types) {
  const byType = {};
  for (const type of types) byType[type] = (byType[type] || 0) + 1;
  return byType;
}
