// A paged list from one of the API's list routes ({<items>: [...], next_cursor}) as a table with "Show more".

import { get } from "./api.js";
import { COPY } from "./shared-copy.js";
import { moreButton, section, table } from "./ui.js";

/** Load and show a list in container. key: the response's list field; query: extra query parameters. */
export async function pagedList(container, { path, key, what, caption, columns, empty, query = {}, pageSize = 25 }) {
  let rows = [];
  const more = moreButton(COPY.list.showMore(what.toLowerCase()), (cursor) => load(cursor));
  const render = () => container.replaceChildren(table({ caption, captionHidden: true, rows, columns, empty }), more.element);
  async function load(cursor = null) {
    const page = await get(path, { query: { ...query, cursor, limit: pageSize } });
    rows = cursor ? rows.concat(page[key]) : page[key];
    more.update(page.next_cursor);
    render();
  }
  await section(container, what, () => load());
}
